using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// Fires the reminders and timers of one sidecar from one loop over a priority queue of due times,
/// rather than a timer per item. Each item has a key; scheduling a key again replaces its earlier
/// entry and <see cref="Cancel"/> drops it (stale entries are skipped when they come up). A due item
/// runs on its own task, so a slow actor does not hold up the others; the callback schedules the
/// next occurrence itself.
/// </summary>
public sealed class ActorScheduler : IAsyncDisposable
{
    private readonly PriorityQueue<Entry, DateTimeOffset> _queue = new();
    private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _version;
    private bool _disposed;

    public ActorScheduler(TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Runs <paramref name="fire"/> at <paramref name="due"/>, replacing any entry under <paramref name="key"/>.</summary>
    public void Schedule(string key, DateTimeOffset due, Func<CancellationToken, Task> fire)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var version = ++_version;
            _current[key] = version;
            _queue.Enqueue(new Entry(key, version, fire), due);
            _wake.Release();
        }
    }

    /// <summary>Drops the entry under <paramref name="key"/>; a run already started goes on.</summary>
    public void Cancel(string key)
    {
        lock (_gate)
        {
            _current.Remove(key);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        Task[] running;
        lock (_gate)
        {
            _disposed = true;
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5), _time);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Runs still in flight were cancelled with the scheduler.
        }

        _stopping.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? wait = null;
            Entry? due = null;
            lock (_gate)
            {
                while (_queue.TryPeek(out var entry, out var at))
                {
                    if (!_current.TryGetValue(entry.Key, out var version) || version != entry.Version)
                    {
                        _queue.Dequeue();
                        continue;
                    }

                    var delay = at - _time.GetUtcNow();
                    if (delay > TimeSpan.Zero)
                    {
                        wait = delay;
                        break;
                    }

                    _queue.Dequeue();
                    _current.Remove(entry.Key);
                    due = entry;
                    break;
                }
            }

            if (due is not null)
            {
                Start(due);
                continue;
            }

            if (wait is { } delayUntilDue)
            {
                // Capped so that a clock change is noticed; Schedule wakes the loop early.
                await WakeOrWaitAsync(delayUntilDue < TimeSpan.FromMinutes(1) ? delayUntilDue : TimeSpan.FromMinutes(1), cancellationToken);
            }
            else
            {
                await _wake.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Waits for <see cref="Schedule"/> to wake the loop, or for <paramref name="delay"/> to pass on the clock.</summary>
    private async Task WakeOrWaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var due = new CancellationTokenSource(delay, _time);
        using var wakeOrDue = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, due.Token);

        // A wait cancelled by the due time is no error (nor is one cancelled by the stop, which the loop checks).
        await _wake.WaitAsync(wakeOrDue.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Start(Entry entry)
    {
        var token = _stopping.Token;
        Task run = null!;
        lock (_gate)
        {
            run = Task.Run(() => RunEntryAsync(entry, token), CancellationToken.None);
            _running.Add(run);
        }

        _ = run.ContinueWith(
            t =>
            {
                lock (_gate)
                {
                    _running.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunEntryAsync(Entry entry, CancellationToken cancellationToken)
    {
        try
        {
            await entry.Fire(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Scheduled actor callback {Key} failed", entry.Key);
        }
    }

    private sealed record Entry(string Key, long Version, Func<CancellationToken, Task> Fire);
}
