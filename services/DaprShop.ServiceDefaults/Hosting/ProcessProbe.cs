using System.ComponentModel;
using System.Diagnostics;

namespace DaprShop.ServiceDefaults.Hosting;

/// <summary>
/// <see cref="IProcessProbe"/> on the real processes: <see cref="Process.StartTime"/>, which on Linux
/// comes from <c>/proc/PID/stat</c>, whose state field also tells a zombie from a running process.
/// </summary>
internal sealed class ProcessProbe : IProcessProbe
{
    public static readonly ProcessProbe Instance = new();

    public DateTime? StartTime(int pid)
    {
        if (OperatingSystem.IsLinux() && !RunsOnLinux(pid))
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
        {
            // No process with that id, or it exited between the lookup and the read.
            return null;
        }
    }

    /// <summary>Whether <c>/proc/PID/stat</c> exists and its state (after the command name, which may hold spaces and parentheses) is not zombie or dead.</summary>
    private static bool RunsOnLinux(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end >= 0 && end + 2 < stat.Length && stat[end + 2] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
