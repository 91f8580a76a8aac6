using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace DaprShop.Bench.Reporting;

/// <summary>Where and how a report was made: the machine, the commit, the date and the command that reproduces it.</summary>
internal sealed record RunEnvironment(
    int Cores,
    string Cpu,
    double MemoryGiB,
    string Os,
    string Dotnet,
    string Commit,
    DateTimeOffset Date,
    string Command,
    string LoadAverageAtStart)
{
    /// <summary>How the measured shop was run (started by the bench, or attached to).</summary>
    public string? Shop { get; set; }

    public string? LoadAverageAtEnd { get; set; }

    public string Machine =>
        $"{Cores} cores ({Cpu}), {MemoryGiB.ToString("0.0", CultureInfo.InvariantCulture)} GiB memory, {Os}, {Dotnet}";

    public static async Task<RunEnvironment> CaptureAsync(string repo, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        new(
            Environment.ProcessorCount,
            CpuModel(),
            MemoryBytes() / (1024.0 * 1024 * 1024),
            OperatingSystem(),
            RuntimeInformation.FrameworkDescription,
            await CommitAsync(repo, cancellationToken),
            DateTimeOffset.UtcNow,
            CommandLine(arguments),
            LoadAverage());

    /// <summary>The 1, 5 and 15 minute load averages (Linux): how busy the machine was besides the bench.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string CommandLine(IReadOnlyList<string> arguments)
    {
        var command = new StringBuilder("dotnet run -c Release --project bench/DaprShop.Bench --");
        foreach (var argument in arguments)
        {
            command.Append(' ').Append(Quote(argument));
        }

        return command.ToString();
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+".Contains(c, StringComparison.Ordinal))
            ? argument
            : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static string CpuModel()
    {
        const string Key = "model name";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(Key, StringComparison.Ordinal));
            if (line?.IndexOf(':', StringComparison.Ordinal) is { } colon and >= 0)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static double MemoryBytes()
    {
        if (File.Exists("/proc/meminfo"))
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
            if (double.TryParse(kilobytes, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value * 1024;
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string OperatingSystem()
    {
        var name = RuntimeInformation.OSDescription;
        if (File.Exists("/etc/os-release"))
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            name = pretty is null ? name : pretty["PRETTY_NAME=".Length..].Trim('"');
        }

        return File.Exists("/proc/sys/kernel/osrelease") ? $"{name}, Linux {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}" : name;
    }

    /// <summary><c>git rev-parse --short HEAD</c>, with <c>-dirty</c> when tracked files differ from it.</summary>
    private static async Task<string> CommitAsync(string repo, CancellationToken cancellationToken)
    {
        var head = await GitAsync(repo, ["rev-parse", "--short", "HEAD"], cancellationToken);
        if (string.IsNullOrWhiteSpace(head))
        {
            return "unknown (not a git checkout)";
        }

        var changes = await GitAsync(repo, ["status", "--porcelain", "--untracked-files=no"], cancellationToken);
        return string.IsNullOrWhiteSpace(changes) ? head.Trim() : $"{head.Trim()}-dirty";
    }

    private static async Task<string?> GitAsync(string repo, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = await git.StandardOutput.ReadToEndAsync(cancellationToken);
            await git.WaitForExitAsync(cancellationToken);
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
