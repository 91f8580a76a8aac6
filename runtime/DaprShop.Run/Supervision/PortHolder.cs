using System.Globalization;
using System.Net;
using System.Text;

namespace DaprShop.Run.Supervision;

/// <summary>
/// The process that listens on a TCP port where the runner wants to listen (127.0.0.1), found on
/// Linux from <c>/proc</c>: the inode of the listening socket in <c>net/tcp</c> or <c>net/tcp6</c>
/// (state <c>0A</c>, on 127.0.0.1 or an address that covers it), then the process with a
/// <c>fd</c> link to <c>socket:[inode]</c>. Nothing is found elsewhere, for another user's process
/// (its <c>fd</c> folder is not readable), or in another network namespace.
/// </summary>
/// <param name="Pid">The process id.</param>
/// <param name="CommandLine">Its command line: the program's file name and its arguments, at most <see cref="MaxCommandLine"/> characters.</param>
internal sealed record PortHolder(int Pid, string CommandLine)
{
    public const int MaxCommandLine = 120;

    private const string Listen = "0A";

    /// <summary>As the runner says it: <c>pid 1234 (dotnet /srv/shop/OrderService.dll)</c>.</summary>
    public override string ToString() => $"pid {Pid} ({CommandLine})";

    /// <summary>The process listening on <paramref name="port"/>, or null when it cannot be found.</summary>
    public static PortHolder? Find(int port) => OperatingSystem.IsLinux() ? Find(port, "/proc") : null;

    /// <summary>As <see cref="Find(int)"/>, reading a <c>/proc</c> laid out under <paramref name="proc"/>.</summary>
    internal static PortHolder? Find(int port, string proc)
    {
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "net/tcp", "net/tcp6" })
        {
            foreach (var inode in ListeningInodes(Path.Combine(proc, table), port))
            {
                sockets.Add($"socket:[{inode}]");
            }
        }

        return sockets.Count == 0 ? null : ProcessWithSocket(proc, sockets);
    }

    /// <summary>
    /// The inodes of the sockets listening on the port in one table. A line reads
    /// <c>sl local_address rem_address st ... uid timeout inode ...</c>, with the local address as
    /// <c>ADDRESS:PORT</c> in hex, the address as 32-bit words in host byte order.
    /// </summary>
    private static IEnumerable<string> ListeningInodes(string table, int port)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != Listen || fields[9] == "0")
            {
                continue;
            }

            var local = fields[1].Split(':');
            if (local.Length == 2
                && int.TryParse(local[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var localPort)
                && localPort == port
                && Address(local[0]) is { } address
                && CoversLoopback(address))
            {
                yield return fields[9];
            }
        }
    }

    private static IPAddress? Address(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            // Printed in host byte order: written back in host byte order, the bytes are the address's.
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4), value);
        }

        return new IPAddress(bytes);
    }

    /// <summary>Whether a listener there keeps the runner from listening on 127.0.0.1 (any address, IPv4 or dual-stack IPv6, or 127.0.0.1 itself).</summary>
    private static bool CoversLoopback(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
    }

    private static PortHolder? ProcessWithSocket(string proc, HashSet<string> sockets)
    {
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories(proc).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (var folder in processes)
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Descriptors(folder).Any(sockets.Contains))
            {
                return new PortHolder(pid, CommandLineOf(folder));
            }
        }

        return null;
    }

    /// <summary>What the process's file descriptors point at; none when they cannot be read (another user's process, or one that exited).</summary>
    private static IEnumerable<string> Descriptors(string folder)
    {
        List<string> links;
        try
        {
            links = Directory.EnumerateFileSystemEntries(Path.Combine(folder, "fd")).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var link in links)
        {
            string? target;
            try
            {
                target = new FileInfo(link).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Closed since the folder was listed.
                continue;
            }

            if (target is not null)
            {
                yield return target;
            }
        }
    }

    /// <summary><c>cmdline</c> with its NULs as spaces and the program by its file name, shortened; <c>[comm]</c> when it is empty (a kernel thread, a zombie).</summary>
    private static string CommandLineOf(string folder)
    {
        string[] arguments;
        try
        {
            arguments = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(folder, "cmdline"))).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (arguments.Length == 0)
            {
                return $"[{File.ReadAllText(Path.Combine(folder, "comm")).Trim()}]";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }

        arguments[0] = Path.GetFileName(arguments[0]) is { Length: > 0 } program ? program : arguments[0];
        var line = string.Join(' ', arguments);
        return line.Length <= MaxCommandLine ? line : string.Concat(line.AsSpan(0, MaxCommandLine - 3), "...");
    }
}
