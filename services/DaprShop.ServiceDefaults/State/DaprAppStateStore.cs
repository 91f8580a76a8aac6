using Dapr;
using Dapr.Client;
using DaprShop.Contracts;
using Grpc.Core;

namespace DaprShop.ServiceDefaults.State;

/// <summary><see cref="IAppStateStore"/> over the Dapr state API of component <c>statestore</c>.</summary>
public sealed class DaprAppStateStore(DaprClient dapr) : IAppStateStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public string StoreName { get; init; } = DaprComponents.StateStore;

    public async Task<AppStateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var (value, etag) = await dapr.GetStateAndETagAsync<T?>(StoreName, key, cancellationToken: cancellationToken);
        return value is null ? null : new AppStateEntry<T>(value, etag ?? string.Empty);
    }

    public async Task<IReadOnlyList<T>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await dapr.GetBulkStateAsync<T?>(StoreName, keys, parallelism: null, cancellationToken: cancellationToken);
        var byKey = items.Where(item => item.Value is not null).ToDictionary(item => item.Key, item => item.Value!, StringComparer.Ordinal);
        return [.. keys.Where(byKey.ContainsKey).Select(key => byKey[key])];
    }

    /// <summary>
    /// An insert: first-write concurrency without an ETag, which the store refuses when the key exists. How it refuses
    /// depends on the store: Redis and SQLite report an ETag mismatch (gRPC <c>Aborted</c>), while daprd's PostgreSQL
    /// store answers a plain failure ("no item was updated"). So any other failure is followed by a read: if the key now
    /// holds a value, the insert lost (or, after a timeout, went through: then the stored value is this one) and the
    /// caller reads what is there; if not, the failure was real and is thrown.
    /// </summary>
    public async Task<bool> TryInsertAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await dapr.SaveStateAsync(StoreName, key, value, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException exception) when (exception.InnerException is RpcException { StatusCode: StatusCode.Aborted })
        {
            return false;
        }
        catch (DaprException)
        {
            if (await ExistsAsync(key, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    public Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
        where T : class =>
        dapr.TrySaveStateAsync(StoreName, key, value, etag, FirstWrite, cancellationToken: cancellationToken);

    public Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken) =>
        dapr.TryDeleteStateAsync(StoreName, key, etag, FirstWrite, cancellationToken: cancellationToken);

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await dapr.GetStateAsync<System.Text.Json.JsonElement?>(StoreName, key, cancellationToken: cancellationToken);
            return stored is not null;
        }
        catch (DaprException)
        {
            return false;
        }
    }
}
