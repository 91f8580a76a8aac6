namespace DaprShop.ServiceDefaults.State;

public static class StateStoreExtensions
{
    public const int DefaultMaxAttempts = 10;

    /// <summary>
    /// Read-modify-write under optimistic concurrency: reads the value and its ETag, applies <paramref name="change"/>
    /// (null when the key has no value), and writes with that ETag (or insert-only when there was no value);
    /// on a conflict it reads again and retries. <paramref name="change"/> returns the instance it was given
    /// (or null for a missing value) to leave the state as it is; it may run more than once, so keep it pure.
    /// </summary>
    public static async Task<StateUpdate<T>> UpdateAsync<T>(
        this IStateStore store,
        string key,
        Func<T?, T?> change,
        CancellationToken cancellationToken,
        int maxAttempts = DefaultMaxAttempts)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);

        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var current = await store.GetAsync<T>(key, cancellationToken);
            var updated = change(current?.Value);

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

            // Lost the race: spread the retries of concurrent writers a little before reading again.
            await Task.Delay(Random.Shared.Next(0, 2 * attempt), cancellationToken);
        }

        throw StateConcurrencyException.For(key, maxAttempts);
    }
}
