using System.Diagnostics;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Load;

/// <summary>Runs a load phase (warm-up, then measurement) and prints progress once a second.</summary>
internal sealed class LoadRunner(TextWriter progress)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Warms up (recorded nowhere), then measures; with <paramref name="shopCpu"/>, also the shop's CPU time while measuring.</summary>
    public async Task<LoadResult> RunAsync(string label, Workload workload, LoadPlan plan, CancellationToken cancellationToken, ShopCpu? shopCpu = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Warmup > TimeSpan.Zero)
        {
            var warmup = new LoadRecorder(workload.Series);
            await DriveAsync($"{label} (warm-up)", workload, plan, plan.Warmup, plan.MaxWarmupRequests, warmup, cancellationToken);
            await workload.SettleAsync(cancellationToken);
        }

        workload.StartMeasuring();
        var recorder = new LoadRecorder(workload.Series);
        var cpu = Environment.CpuUsage.TotalTime;
        var shopBefore = shopCpu?.Read();
        var switchesBefore = ShopCpu.ContextSwitches();
        var elapsed = await DriveAsync(label, workload, plan, plan.Duration, plan.MaxRequests, recorder, cancellationToken);
        var shopUsed = ShopCpu.Used(shopBefore, shopCpu?.Read());
        var switchesAfter = ShopCpu.ContextSwitches();
        return new LoadResult(plan, recorder.Series, recorder.SendLag, elapsed, recorder.Requests >= plan.MaxRequests, Environment.CpuUsage.TotalTime - cpu)
        {
            ShopCpu = shopUsed,
            ContextSwitches = switchesAfter - switchesBefore,
        };
    }

    private async Task<TimeSpan> DriveAsync(string label, Workload workload, LoadPlan plan, TimeSpan duration, long maxRequests, LoadRecorder recorder, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var run = LoadDriver.For(plan.Model).RunAsync(workload, recorder, duration, maxRequests, cancellationToken);
        using var timer = new PeriodicTimer(ProgressInterval);
        var lastRequests = 0L;
        var lastTime = started;
        var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
        while (await Task.WhenAny(run, tick) != run)
        {
            recorder.Collect();
            var now = Stopwatch.GetTimestamp();
            var requests = recorder.Requests;
            var rate = (requests - lastRequests) / Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
            (lastRequests, lastTime) = (requests, now);
            var p99 = recorder.CombinedLatency() is { TotalCount: > 0 } latency ? $"{Format.Millis(latency.GetValueAtPercentile(99))} ms" : "-";
            await progress.WriteLineAsync(
                $"  {label,-34} {Stopwatch.GetElapsedTime(started).TotalSeconds,5:0}s  requests {requests,8:N0}  {rate,7:N0}/s  errors {recorder.Errors,6:N0}  p99 {p99,10}  in flight {recorder.InFlight,5:N0}");
            tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
        }

        await run;
        var elapsed = Stopwatch.GetElapsedTime(started);
        recorder.Collect();
        await progress.WriteLineAsync(
            $"  {label,-34} done in {elapsed.TotalSeconds:0.0} s: {recorder.Requests:N0} requests, {recorder.Errors:N0} errors");
        return elapsed;
    }
}
