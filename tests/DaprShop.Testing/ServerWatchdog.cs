using System.Diagnostics;
using System.Globalization;

namespace DaprShop.Testing;

/// <summary>
/// Stops a server a test process started when that process is gone, however it ended: a small shell loop that checks
/// once a second whether the test process still exists and, once it does not, runs the stop command. The test host
/// may be killed by the test runner before its exit handlers run; a server started for it must not outlive it.
/// </summary>
public static class ServerWatchdog
{
    /// <summary>Runs <paramref name="stopCommand"/> (a shell command) once this process has exited.</summary>
    public static void StopWhenThisProcessEnds(string stopCommand)
    {
        ArgumentException.ThrowIfNullOrEmpty(stopCommand);
        // setsid: in a session of its own, so a kill of the test host's process tree does not take the watchdog along.
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stopCommand}"));
        using var watchdog = Process.Start(start);
    }
}
