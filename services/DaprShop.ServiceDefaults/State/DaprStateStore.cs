using Dapr;
using Dapr.Client;
using DaprShop.Contracts;
using Grpc.Core;

namespace DaprShop.ServiceDefaults.State;

/// <summary><see cref="IStateStore"/> over the Dapr state API of component <c>statestore</c>.</summary>
public sealed class DaprStateStore(DaprClient dapr) : IStateStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public string StoreName { get; init; } = DaprComponents.StateStore;

    public async Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var (value, etag) = await dapr.GetStateAndETagAsync<T?>(StoreName, key, cancellationToken: cancellationToken);
        return value is null ? null : new StateEntry<T>(value, etag ?? string.Empty);
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

    public async Task<bool> TryInsertAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            // First-write concurrency without an ETag is an insert: the store refuses it when the key exists.
            await dapr.SaveStateAsync(StoreName, key, value, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException exception) when (exception.InnerException is RpcException { StatusCode: StatusCode.Aborted })
        {
            return false;
        }
    }

    public Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
        where T : class =>
        dapr.TrySaveStateAsync(StoreName, key, value, etag, FirstWrite, cancellationToken: cancellationToken);
}
