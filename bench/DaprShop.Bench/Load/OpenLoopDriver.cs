using System.Diagnostics;

namespace DaprShop.Bench.Load;

/// <summary>
/// The open model: request <c>i</c> is due at <c>start + i / rate</c>, whatever the answers to earlier ones do.
/// Each is measured from its due time, so when the shop (or this machine) falls behind, the time requests
/// spend waiting to be sent is counted as latency rather than silently dropped (coordinated omission). A
/// dedicated thread sends each request when it falls due (<see cref="PreciseSleep"/>); at most
/// <paramref name="maxInFlight"/> wait for an answer at once, and past that, sending waits too. Sending stops
/// <see cref="SendingGrace"/> after the planned end: requests still waiting then are counted as not sent
/// (an overloaded shop would otherwise stretch the run without bound).
/// </summary>
internal sealed class OpenLoopDriver(double rate, int maxInFlight) : ILoadDriver
{
    private static readonly TimeSpan SendingGrace = TimeSpan.FromSeconds(1);

    public async Task RunAsync(Workload workload, LoadRecorder recorder, TimeSpan duration, long maxRequests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var count = Math.Min(maxRequests, (long)Math.Ceiling(duration.TotalSeconds * rate));
        using var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var dispatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new Thread(() =>
        {
            try
            {
                Dispatch(workload, recorder, count, duration, slots, cancellationToken);
                dispatched.SetResult();
            }
            catch (OperationCanceledException e)
            {
                dispatched.SetCanceled(e.CancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                dispatched.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "open-model dispatcher",
        };
        dispatcher.Start();
        await dispatched.Task;

        // Drained when every slot is back; each request ends within the client's timeout.
        for (var i = 0; i < maxInFlight; i++)
        {
            await slots.WaitAsync(cancellationToken);
        }
    }

    private void Dispatch(Workload workload, LoadRecorder recorder, long count, TimeSpan duration, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var stopSending = start + (long)((duration + SendingGrace).TotalSeconds * Stopwatch.Frequency);
        for (long i = 0; i < count; i++)
        {
            var due = start + (long)(i * ticksPerRequest);
            PreciseSleep.Until(due, cancellationToken);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), stopSending);
            if (left <= TimeSpan.Zero || !slots.Wait(left, cancellationToken))
            {
                for (var unsent = i; unsent < count; unsent++)
                {
                    recorder.RecordNotSent(workload, unsent);
                }

                return;
            }

            // Started on this thread, up to its first wait for I/O: no hop through the thread pool before it leaves.
            _ = SendAsync(workload, recorder, i, due, slots, cancellationToken);
        }
    }

    private static async Task SendAsync(Workload workload, LoadRecorder recorder, long sequence, long due, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            await recorder.MeasureAsync(workload, sequence, due, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is being stopped.
        }
        finally
        {
            slots.Release();
        }
    }
}
