namespace DaprShop.ServiceDefaults.State;

/// <summary>
/// The slice of the Dapr state API the services use, with its concurrency rules: every write is first-write-wins,
/// an insert fails when the key exists, and a replace fails when the ETag is stale.
/// </summary>
public interface IAppStateStore
{
    /// <summary>The value and its ETag, or null when the key has no value.</summary>
    Task<AppStateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class;

    /// <summary>The values that exist among <paramref name="keys"/>, in the order of the keys.</summary>
    Task<IReadOnlyList<T>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Writes <paramref name="value"/> only if <paramref name="key"/> has no value; false if it has one.</summary>
    Task<bool> TryInsertAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Writes <paramref name="value"/> only if the stored ETag is still <paramref name="etag"/>; false if it changed.</summary>
    Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Deletes <paramref name="key"/> only if the stored ETag is still <paramref name="etag"/>; false if it changed.</summary>
    Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken);
}
