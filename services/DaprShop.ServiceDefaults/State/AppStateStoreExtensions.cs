namespace DaprShop.ServiceDefaults.State;

public static class AppStateStoreExtensions
{
    public const int DefaultMaxAttempts = 10;

    /// <summary>
    /// Read-modify-write under optimistic concurrency: reads the value and its ETag, applies <paramref name="change"/>
    /// (null when the key has no value), and writes with that ETag (or insert-only when there was no value);
    /// on a conflict it reads again and retries. <paramref name="change"/> returns the instance it was given
    /// (or null for a missing value) to leave the state as it is; it may run more than once, so keep it pure.
    /// </summary>
    public static Task<StateUpdate<T>> UpdateAsync<T>(
        this IAppStateStore store,
        string key,
        Func<T?, T?> change,
        CancellationToken cancellationToken,
        int maxAttempts = DefaultMaxAttempts)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(change);
        return store.UpdateAsync<T>(key, (current, _) => Task.FromResult(change(current)), cancellationToken, maxAttempts);
    }

    /// <summary>
    /// <see cref="UpdateAsync{T}(IAppStateStore, string, Func{T, T}, CancellationToken, int)"/> with a change that may
    /// first write other keys, which then happens before <paramref name="key"/> is written. It may run more than once
    /// (after a conflict, or again after a crash in between), so whatever else it writes must come out the same each
    /// time it runs on the same value. <paramref name="lastRead"/>, when given, stands for the first read (its ETag is
    /// checked by the write like any other).
    /// </summary>
    public static async Task<StateUpdate<T>> UpdateAsync<T>(
        this IAppStateStore store,
        string key,
        Func<T?, CancellationToken, Task<T?>> change,
        CancellationToken cancellationToken,
        int maxAttempts = DefaultMaxAttempts,
        StateRead<T>? lastRead = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);

        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var current = attempt == 1 && lastRead is { } read ? read.Entry : await store.GetAsync<T>(key, cancellationToken);
            var updated = await change(current?.Value, cancellationToken);

            if (updated is null || ReferenceEquals(updated, current?.Value))
            {
                return new StateUpdate<T>(current?.Value, Changed: false);
            }

            var written = current is null
                ? await store.TryInsertAsync(key, updated, cancellationToken)
                : await store.TryReplaceAsync(key, updated, current.ETag, cancellationToken);
            if (written)
            {
                return new StateUpdate<T>(updated, Changed: true);
            }

            // Lost the race: back off before reading again, a random delay in a window that doubles per attempt
            // (5 ms, 10 ms, ... up to 160 ms), so that several writers of one hot key spread out instead of colliding
            // again. With a 2 ms window every time, ten writers of one user's index under overload spent all ten
            // attempts colliding (the orders bench at 1,000 req/s on two cores).
            await Task.Delay(Random.Shared.Next(0, RetryWindowMs(attempt)), cancellationToken);
        }

        throw StateConcurrencyException.For(key, maxAttempts);
    }

    /// <summary>The upper bound of the random back-off before attempt <paramref name="attempt"/> + 1, in milliseconds.</summary>
    internal static int RetryWindowMs(int attempt) => 5 << Math.Min(attempt - 1, 5);
}
