using System.Globalization;

namespace DaprShop.Bench.Shop;

/// <summary>
/// CPU time used so far by the shop's processes: the runner (which hosts every sidecar) and each app it started,
/// read from <c>/proc/[pid]/stat</c> (user and system time of the process tree under the runner). Two readings
/// subtracted tell where a load phase spent the machine's cores, and how much of it the kernel took (loopback TCP,
/// wake-ups, file system). Linux only; elsewhere <see cref="Read"/> is null.
/// </summary>
internal sealed class ShopCpu(int runnerPid)
{
    /// <summary>The label of the runner process, whose CPU time is the sidecars' (plus the runner's own, small).</summary>
    public const string Sidecars = "sidecars (runner process)";

    /// <summary>
    /// The unit of utime and stime in /proc/[pid]/stat: USER_HZ, which Linux fixes at 100 in its user-space ABI
    /// (whatever the kernel's internal tick rate).
    /// </summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU time per process label (summed when several processes share one), or null off Linux.</summary>
    public IReadOnlyDictionary<string, CpuTime>? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var stats = new Dictionary<int, (int Parent, CpuTime Cpu)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && TryReadStat(pid) is { } stat)
            {
                stats[pid] = stat;
            }
        }

        var result = new Dictionary<string, CpuTime>(StringComparer.Ordinal);
        var pending = new Queue<int>([runnerPid]);
        while (pending.TryDequeue(out var pid))
        {
            if (stats.TryGetValue(pid, out var stat))
            {
                var label = pid == runnerPid ? Sidecars : Label(pid);
                result[label] = result.GetValueOrDefault(label) + stat.Cpu;
            }

            foreach (var (child, _) in stats.Where(s => s.Value.Parent == pid))
            {
                pending.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary><paramref name="after"/> minus <paramref name="before"/>, per label; null when either is.</summary>
    public static IReadOnlyDictionary<string, CpuTime>? Used(IReadOnlyDictionary<string, CpuTime>? before, IReadOnlyDictionary<string, CpuTime>? after) =>
        before is null || after is null
            ? null
            : after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

    /// <summary>The fields after the command name: state, ppid, ..., utime (14th of the line), stime (15th).</summary>
    private static (int Parent, CpuTime Cpu)? TryReadStat(int pid)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // Gone meanwhile, or not ours to read.
        }

        // The command name is in parentheses and may itself hold spaces or parentheses: fields start after the last ')'.
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 13
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }

        return (parent, new CpuTime(TimeSpan.FromSeconds(user / TicksPerSecond), TimeSpan.FromSeconds(system / TicksPerSecond)));
    }

    /// <summary>
    /// Context switches on the whole machine since boot (<c>ctxt</c> in <c>/proc/stat</c>), or null off Linux: the
    /// shop's hops hand work from thread to thread and process to process, and each hand-off that puts a thread to
    /// sleep and wakes another is one or two of them. The bench's own are in it too.
    /// </summary>
    public static long? ContextSwitches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("ctxt ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var switches))
                {
                    return switches;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable here: no figure.
        }

        return null;
    }

    /// <summary>An app by the assembly it runs (<c>dotnet .../OrderService.dll</c> → OrderService), else its command name.</summary>
    private static string Label(int pid)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var assembly = arguments.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal));
            return assembly is not null ? Path.GetFileNameWithoutExtension(assembly) : Path.GetFileName(arguments.FirstOrDefault() ?? $"pid {pid}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"pid {pid}";
        }
    }
}

/// <summary>CPU time split as the kernel accounts it: in the process's own code (user) and in system calls for it (system).</summary>
internal readonly record struct CpuTime(TimeSpan User, TimeSpan System)
{
    public TimeSpan Total => User + System;

    public static CpuTime operator +(CpuTime left, CpuTime right) => new(left.User + right.User, left.System + right.System);

    public static CpuTime operator -(CpuTime left, CpuTime right) => new(left.User - right.User, left.System - right.System);
}
