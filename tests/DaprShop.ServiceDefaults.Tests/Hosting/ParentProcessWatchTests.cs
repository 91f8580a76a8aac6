using System.Diagnostics;
using DaprShop.ServiceDefaults.Hosting;
using DaprShop.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

public sealed class ParentProcessWatchTests : IAsyncDisposable
{
    private const int RunnerPid = 4242;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly DateTime RunnerStarted = new(2030, 1, 1, 12, 0, 0, DateTimeKind.Local);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeProcessProbe _probe = new();
    private readonly RecordingLifetime _lifetime = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ParentProcessWatch _watch;

    public ParentProcessWatchTests()
    {
        _probe.Run(Environment.ProcessId, RunnerStarted.AddSeconds(2));
        _watch = new ParentProcessWatch(RunnerPid, _probe, _lifetime, _time, NullLogger<ParentProcessWatch>.Instance, code => _exited.TrySetResult(code));
    }

    public async ValueTask DisposeAsync()
    {
        await _watch.StopAsync(CancellationToken.None);
        _watch.Dispose();
    }

    [Fact]
    public async Task While_the_runner_runs_the_app_runs_and_once_it_is_gone_the_app_stops_at_the_next_look()
    {
        _probe.Run(RunnerPid, RunnerStarted);
        await _watch.StartAsync(CancellationToken.None);

        for (var look = 1; look <= 3; look++)
        {
            await LooksAsync(look);
            _time.Advance(ParentProcessWatch.PollInterval);
        }

        await LooksAsync(4);
        Assert.False(_lifetime.StopRequested.IsCompleted);

        _probe.End(RunnerPid);
        _time.Advance(ParentProcessWatch.PollInterval);

        await _lifetime.StopRequested.WaitAsync(Deadline);
        Assert.Equal(5, _probe.Looks(RunnerPid));
    }

    [Fact]
    public async Task A_process_that_took_the_runner_s_pid_after_it_died_counts_as_gone()
    {
        _probe.Run(RunnerPid, RunnerStarted);
        await _watch.StartAsync(CancellationToken.None);
        await LooksAsync(1);

        _probe.Run(RunnerPid, RunnerStarted.AddMinutes(5));
        _time.Advance(ParentProcessWatch.PollInterval);

        await _lifetime.StopRequested.WaitAsync(Deadline);
    }

    [Fact]
    public async Task No_process_under_the_runner_s_pid_at_start_stops_the_app_at_once()
    {
        await _watch.StartAsync(CancellationToken.None);

        await _lifetime.StopRequested.WaitAsync(Deadline);
        Assert.Equal(1, _probe.Looks(RunnerPid));
    }

    [Fact]
    public async Task A_process_under_the_runner_s_pid_that_started_after_the_app_stops_the_app_at_once()
    {
        _probe.Run(RunnerPid, RunnerStarted.AddSeconds(3));
        await _watch.StartAsync(CancellationToken.None);

        await _lifetime.StopRequested.WaitAsync(Deadline);
        Assert.Equal(1, _probe.Looks(RunnerPid));
    }

    [Fact]
    public async Task When_the_graceful_stop_has_not_finished_by_the_deadline_the_process_exits()
    {
        await _watch.StartAsync(CancellationToken.None);
        await _lifetime.StopRequested.WaitAsync(Deadline);

        _time.Advance(ParentProcessWatch.ExitDeadline - TimeSpan.FromMilliseconds(1));
        Assert.False(_exited.Task.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ParentProcessWatch.ForcedExitCode, await _exited.Task.WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_host_that_failed_to_start_disposes_the_watch_which_ends_without_a_fault()
    {
        _probe.Run(RunnerPid, RunnerStarted);
        await _watch.StartAsync(CancellationToken.None);
        await LooksAsync(1);

        _watch.Dispose();

        await _watch.ExecuteTask!.WaitAsync(Deadline);
        Assert.True(_watch.ExecuteTask.IsCompletedSuccessfully);
        Assert.False(_lifetime.StopRequested.IsCompleted);
    }

    [Fact]
    public async Task An_app_stopped_for_another_reason_ends_the_watch_without_stopping_or_exiting()
    {
        _probe.Run(RunnerPid, RunnerStarted);
        await _watch.StartAsync(CancellationToken.None);
        await LooksAsync(1);

        await _watch.StopAsync(CancellationToken.None);

        Assert.True(_watch.ExecuteTask!.IsCompleted);
        _time.Advance(ParentProcessWatch.PollInterval + ParentProcessWatch.ExitDeadline);
        Assert.Equal(1, _probe.Looks(RunnerPid));
        Assert.False(_lifetime.StopRequested.IsCompleted);
        Assert.False(_exited.Task.IsCompleted);
    }

    [Fact]
    public async Task A_real_runner_process_killed_with_SIGKILL_stops_the_app()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var runner = Process.Start("sleep", "300");
        var lifetime = new RecordingLifetime();
        var probe = new CountingProcessProbe(ProcessProbe.Instance, thisProcessStarted: DateTime.Now.AddSeconds(1));
        using var watch = new ParentProcessWatch(runner.Id, probe, lifetime, TimeProvider.System, NullLogger<ParentProcessWatch>.Instance, _ => { });
        try
        {
            await watch.StartAsync(CancellationToken.None);
            await Eventually.WaitAsync(() => probe.Looks(runner.Id) >= 2, Deadline, "a look at the runner after the first poll");
            Assert.False(lifetime.StopRequested.IsCompleted);

            runner.Kill();

            await lifetime.StopRequested.WaitAsync(Deadline);
        }
        finally
        {
            runner.Kill();
            await watch.StopAsync(CancellationToken.None);
        }
    }

    private Task LooksAsync(int count) =>
        Eventually.WaitAsync(() => _probe.Looks(RunnerPid) >= count, Deadline, $"look {count} at the runner");
}
