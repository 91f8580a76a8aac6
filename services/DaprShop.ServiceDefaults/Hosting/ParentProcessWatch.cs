using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprShop.ServiceDefaults.Hosting;

/// <summary>
/// Stops the app once the process named by <c>DAPRSHOP_PARENT_PID</c> (the local runner, which
/// started it) is gone, so that a runner that dies, even by SIGKILL, which it cannot pass on, leaves
/// no app behind holding its port. The pid is passed rather than read with getppid() because an app
/// started through <c>dotnet run</c> is the runner's grandchild.
/// <para>
/// The runner's start time is read once, when the app starts: a process under the same pid with
/// another start time has reused the pid and counts as gone, and so does one that started after this
/// app (it cannot be what started it), or no process at all. Once the runner is gone the app logs
/// one line and stops gracefully; if it is still running <see cref="ExitDeadline"/> later, it exits.
/// </para>
/// </summary>
internal sealed class ParentProcessWatch(
    int parentPid,
    IProcessProbe probe,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ParentProcessWatch> logger,
    Action<int> exit) : BackgroundService
{
    /// <summary>Set by the runner to its own pid; unset (the real Dapr CLI), nothing is watched.</summary>
    public const string ParentPidVariable = "DAPRSHOP_PARENT_PID";

    /// <summary>The exit code when the graceful stop has not finished by <see cref="ExitDeadline"/>.</summary>
    public const int ForcedExitCode = 1;

    /// <summary>
    /// How often the runner is looked at. A look is two reads of <c>/proc/PID/stat</c> on Linux (one
    /// process query elsewhere), some microseconds: nothing measurable twice a second, and an orphaned
    /// app starts stopping at most half a second after its runner died.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the graceful stop may take before the process exits regardless.</summary>
    public static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The timer starts before the first look, so no tick is lost however long that look takes.
        using var poll = new PeriodicTimer(PollInterval, time);
        var parentStart = probe.StartTime(parentPid);
        if (parentStart is null || parentStart > probe.StartTime(Environment.ProcessId))
        {
            Stop();
            return;
        }

        try
        {
            while (await poll.WaitForNextTickAsync(stoppingToken))
            {
                if (probe.StartTime(parentPid) != parentStart)
                {
                    Stop();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Disposed without a stop, as when another service failed the host's start: that failure is the news,
            // not a watch that faulted on its way out.
        }
    }

    private void Stop()
    {
        // The deadline runs apart from this service, which the graceful stop itself ends.
        var deadline = Task.Delay(ExitDeadline, time, CancellationToken.None);
        logger.LogWarning("The runner (pid {RunnerPid}) is gone; stopping", parentPid);
        lifetime.StopApplication();
        _ = ExitAfterAsync(deadline);
    }

    private async Task ExitAfterAsync(Task deadline)
    {
        await deadline;
        logger.LogError("Still running {Seconds} s after the runner (pid {RunnerPid}) went; exiting", ExitDeadline.TotalSeconds, parentPid);
        exit(ForcedExitCode);
    }
}
