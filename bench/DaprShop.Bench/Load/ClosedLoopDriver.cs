using System.Diagnostics;

namespace DaprShop.Bench.Load;

/// <summary>
/// The closed loop: <paramref name="virtualUsers"/> users, each sending its next request as soon as its previous
/// one answered. Latency counts from the actual send, so it shows what each user saw, not what a steady stream of
/// arrivals would have seen (a closed loop slows down with the shop: use the open model for that).
/// </summary>
internal sealed class ClosedLoopDriver(int virtualUsers) : ILoadDriver
{
    public async Task RunAsync(Workload workload, LoadRecorder recorder, TimeSpan duration, long maxRequests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long issued = -1;
        await Task.WhenAll(Enumerable.Range(0, virtualUsers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                var sequence = Interlocked.Increment(ref issued);
                if (sequence >= maxRequests)
                {
                    return;
                }

                await recorder.MeasureAsync(workload, sequence, Stopwatch.GetTimestamp(), cancellationToken);
            }
        }));
    }
}
