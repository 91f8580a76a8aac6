using Dapr;

namespace DaprShop.ServiceDefaults.State;

/// <summary>
/// Read-modify-writes of hot keys from one process, taken in turn instead of racing each other: while a key is being
/// written, the changes that arrive for it wait, and are then applied one after another to the value read and written
/// together with one ETag write (<see cref="AppStateStoreExtensions"/>' <c>UpdateAsync</c>).
/// So writers in this process never conflict with each other, and a key written by many callers at once costs one read
/// and one write per batch instead of a read and a write per caller plus one per lost race. Writers in other processes
/// (replicas) are still met by the ETag check and retried.
/// <para>
/// A batch's changes are those of <see cref="UpdateAsync"/>: each may run more than once, and whatever else it writes
/// must come out the same each time it runs on the same value. A batch fails as a whole: every caller in it sees the
/// exception. A caller whose token is cancelled stops waiting, but a change already queued is still applied. The drain
/// runs in the execution context of the caller that started it, so later batches are traced under that caller.
/// </para>
/// </summary>
public sealed class CoalescedUpdates<T>(
    IAppStateStore store,
    int maxAttempts = AppStateStoreExtensions.DefaultMaxAttempts,
    TimeSpan? batchTimeout = null)
    where T : class
{
    /// <summary>The most changes written together; more wait for the next batch.</summary>
    public const int MaxBatch = 256;

    /// <summary>How long one batch may take by default, its retries included, before its callers see it fail.</summary>
    public static readonly TimeSpan DefaultBatchTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan batchTimeout = batchTimeout ?? DefaultBatchTimeout;

    private readonly Dictionary<string, List<Pending>> queues = new(StringComparer.Ordinal);

    /// <summary>
    /// Applies <paramref name="change"/> to the value of <paramref name="key"/> (null when it has none), with the
    /// changes queued beside it. <paramref name="lastRead"/>, when given, is the entry this caller read just before:
    /// a batch of one writes against its ETag without reading again (and reads again only if it is stale).
    /// The answer is the value written by the batch and whether this caller's change changed it.
    /// </summary>
    public Task<StateUpdate<T>> UpdateAsync(
        string key,
        Func<T?, CancellationToken, Task<T?>> change,
        CancellationToken cancellationToken,
        StateRead<T>? lastRead = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(change);

        var pending = new Pending(change, lastRead);
        bool drain;
        lock (queues)
        {
            drain = !queues.TryGetValue(key, out var queue);
            if (drain)
            {
                queues[key] = queue = [];
            }

            queue!.Add(pending);
        }

        if (drain)
        {
            // Runs inline up to its first await: a caller alone with its key pays no thread hop.
            _ = DrainAsync(key);
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes the key's queued changes, a batch at a time, until none is left; then the key is free again.</summary>
    private async Task DrainAsync(string key)
    {
        for (var firstBatch = true; ; firstBatch = false)
        {
            List<Pending> batch;
            lock (queues)
            {
                var queue = queues[key];
                if (queue.Count == 0)
                {
                    queues.Remove(key);
                    return;
                }

                batch = queue.Count <= MaxBatch ? queue : queue[..MaxBatch];
                queues[key] = queue.Count <= MaxBatch ? [] : queue[MaxBatch..];
            }

            // A caller's read is of the key before this drain's writes: it can only stand for the first batch's read.
            await WriteAsync(key, batch, firstBatch);
        }
    }

    private async Task WriteAsync(string key, List<Pending> batch, bool firstBatch)
    {
        try
        {
            // The batch outlives any one caller's wait, so it runs to its end, or to its own deadline (a hung sidecar
            // call must not hold the key for good); each caller stops waiting on its own token.
            using var deadline = new CancellationTokenSource(batchTimeout);
            var first = firstBatch && batch is [{ LastRead: { } read }] ? read : (StateRead<T>?)null;
            var update = await store.UpdateAsync<T>(key, (current, token) => ApplyAsync(batch, current, token), deadline.Token, maxAttempts, first);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult(new StateUpdate<T>(update.Value, update.Changed && pending.Changed));
            }
        }
        catch (OperationCanceledException timedOut)
        {
            // No caller cancelled it: to them it is a state call that did not answer (503, like any failed sidecar call).
            var failure = new DaprException($"Updating state '{key}' did not finish within {batchTimeout.TotalSeconds:0.###} s.", timedOut);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(failure);
            }
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(exception);
            }
        }
    }

    /// <summary>Each change in turn on what the one before it left; the value read itself when none changed it.</summary>
    private static async Task<T?> ApplyAsync(List<Pending> batch, T? current, CancellationToken cancellationToken)
    {
        var value = current;
        foreach (var pending in batch)
        {
            var next = await pending.Change(value, cancellationToken);
            pending.Changed = next is not null && !ReferenceEquals(next, value);
            if (pending.Changed)
            {
                value = next;
            }
        }

        return value;
    }

    private sealed class Pending(Func<T?, CancellationToken, Task<T?>> change, StateRead<T>? lastRead)
    {
        public Func<T?, CancellationToken, Task<T?>> Change { get; } = change;

        public StateRead<T>? LastRead { get; } = lastRead;

        /// <summary>Whether this change changed the value, in the batch's last run.</summary>
        public bool Changed { get; set; }

        public TaskCompletionSource<StateUpdate<T>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What a read of a key found: its entry, or null when the key had no value.</summary>
public readonly record struct StateRead<T>(AppStateEntry<T>? Entry)
    where T : class;
