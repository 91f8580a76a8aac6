using System.Globalization;
using System.Runtime.InteropServices;

namespace DaprShop.Run.Apps;

/// <summary>
/// Signals to a process and the processes it started. On Linux the descendants are read from
/// <c>/proc</c>, so that a <c>dotnet run</c> wrapper and the app it started both get SIGTERM; elsewhere
/// only the process itself is signalled and <see cref="System.Diagnostics.Process.Kill(bool)"/> does the rest.
/// </summary>
internal static partial class ProcessTree
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>The process's children, their children, and so on, as they are now.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                || ParentOf(child) is not { } parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(child);
        }

        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var child in children.GetValueOrDefault(current) ?? [])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Sends a signal; false when the process is gone (or this is Windows, which has no signals).</summary>
    public static bool Signal(int pid, int signal) => !OperatingSystem.IsWindows() && Kill(pid, signal) == 0;

    /// <summary>Whether the process still runs (a zombie waiting to be reaped does not count).</summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsWindows() || Kill(pid, 0) != 0)
        {
            return false;
        }

        return !OperatingSystem.IsLinux() || State(pid) is not ('Z' or 'X' or null);
    }

    private static int? ParentOf(int pid) =>
        StatFields(pid) is { Length: > 1 } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? parent
            : null;

    private static char? State(int pid) => StatFields(pid) is { Length: > 0 } fields && fields[0].Length == 1 ? fields[0][0] : null;

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (which may hold spaces): state, ppid, ...</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end < 0 ? null : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
