using System.Globalization;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.State;

/// <summary>A loaded state store with its name and settings.</summary>
public sealed record StateStoreHandle(string Name, IStateStore Store, StateStoreSettings Settings);

/// <summary>
/// One write as an app asks for it: the operation with the app's key, and the request metadata
/// (<c>ttlInSeconds</c> among it).
/// </summary>
public sealed record StateWrite(StateOperation Operation, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The state building block behind the HTTP and gRPC APIs: finds the store, turns app keys into
/// stored keys, reads <c>ttlInSeconds</c>, runs transactions through the
/// <see cref="IStateTransactionInterceptor"/>s, and reports failures as daprd does
/// (<see cref="StateErrors"/>).
/// </summary>
public sealed class StateService
{
    /// <summary>The request metadata that sets an item's expiry (components-contrib <c>state/utils/ttl.go</c>).</summary>
    public const string TtlMetadataKey = "ttlInSeconds";

    /// <summary>Response metadata with an item's expiry, RFC 3339 UTC (components-contrib <c>state.GetRespMetaKeyTTLExpireTime</c>).</summary>
    public const string TtlExpireTimeMetadataKey = "ttlExpireTime";

    private readonly Dictionary<string, StateStoreHandle> _stores;
    private readonly IReadOnlyList<IStateTransactionInterceptor> _interceptors;
    private readonly IResiliencyPolicyProvider _resiliency;
    private readonly ILogger _logger;

    public StateService(SidecarContext sidecar, IEnumerable<IStateTransactionInterceptor> interceptors, ILoggerFactory loggerFactory, IResiliencyPolicyProvider resiliency)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _stores = sidecar.Components.OfType<IStateStore>()
            .ToDictionary(
                c => c.Spec.Name,
                c => new StateStoreHandle(c.Spec.Name, c.Instance, StateStoreSettings.FromSpec(c.Spec, sidecar.AppId)),
                StringComparer.Ordinal);
        _interceptors = [.. interceptors];
        _resiliency = resiliency;
        _logger = loggerFactory.CreateLogger($"daprd.{sidecar.AppId}.state");
    }

    /// <summary>Every state store of this sidecar, by component name.</summary>
    public IReadOnlyDictionary<string, StateStoreHandle> Stores => _stores;

    public StateStoreHandle GetStore(string name)
    {
        if (_stores.Count == 0)
        {
            throw Log(StateErrors.NotConfigured(name));
        }

        return _stores.TryGetValue(name, out var handle) ? handle : throw Log(StateErrors.NotFound(name));
    }

    public async Task<StateEntry?> GetAsync(string storeName, string key, CancellationToken cancellationToken)
    {
        var handle = GetStore(storeName);
        var storedKey = handle.Settings.KeyPrefix.Apply(key);
        try
        {
            return await Outbound(storeName).ExecuteAsync(ct => handle.Store.GetAsync(storedKey, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Log(StateErrors.Get(key, storeName, e));
        }
    }

    /// <summary>One entry per key, under the app's keys, in the order asked.</summary>
    public async Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var handle = GetStore(storeName);
        if (keys.Count == 0)
        {
            return [];
        }

        var storedKeys = keys.Select(handle.Settings.KeyPrefix.Apply).ToList();
        IReadOnlyList<BulkStateEntry> entries;
        try
        {
            entries = await Outbound(storeName).ExecuteAsync(ct => handle.Store.BulkGetAsync(storedKeys, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Log(StateErrors.BulkGet(e));
        }

        return [.. entries.Select(e => e with { Key = StateKeyPrefix.Strip(e.Key) })];
    }

    /// <summary>Saves every item (daprd's <c>SaveState</c>); all ETags are checked before any item is written.</summary>
    public Task SaveAsync(string storeName, IReadOnlyList<StateWrite> items, CancellationToken cancellationToken) =>
        WriteAsync(storeName, items, e => StateErrors.Save(storeName, e), cancellationToken);

    public Task DeleteAsync(string storeName, StateWrite item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return WriteAsync(storeName, [item], e => StateErrors.Delete(item.Operation.Key, e), cancellationToken);
    }

    public Task DeleteBulkAsync(string storeName, IReadOnlyList<StateWrite> items, CancellationToken cancellationToken) =>
        WriteAsync(storeName, items, e => StateErrors.BulkDelete(storeName, e), cancellationToken);

    /// <summary>
    /// Runs a multi-key transaction: every operation applies or none does, except on a store without rollback
    /// (<c>state.redis</c>, as in daprd). Interceptors may add operations before the commit and act after it, or
    /// after a failure.
    /// </summary>
    public async Task ExecuteTransactionAsync(
        string storeName,
        IReadOnlyList<StateWrite> operations,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var handle = GetStore(storeName);
        if (!handle.Store.Features.HasFlag(StateFeatures.Transactional))
        {
            throw Log(StateErrors.TransactionsNotSupported(storeName));
        }

        if (operations.Count == 0)
        {
            return;
        }

        var transaction = new StateTransaction([.. operations.Select(o => ToStored(handle, o, StateErrors.Transaction))], metadata);
        foreach (var interceptor in _interceptors)
        {
            transaction = await interceptor.BeforeCommitAsync(storeName, transaction, cancellationToken);
        }

        try
        {
            await Outbound(storeName).ExecuteAsync(ct => handle.Store.ExecuteAsync(transaction, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var interceptor in _interceptors)
            {
                await interceptor.AfterFailureAsync(storeName, transaction, CancellationToken.None);
            }

            throw Log(StateErrors.Transaction(e));
        }

        foreach (var interceptor in _interceptors)
        {
            await interceptor.AfterCommitAsync(storeName, transaction, cancellationToken);
        }
    }

    /// <summary>Response metadata for an entry: its expiry when it has one.</summary>
    public static Dictionary<string, string> ResponseMetadata(StateEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (entry.ExpiresAt is { } expiresAt)
        {
            metadata[TtlExpireTimeMetadataKey] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    /// <summary>
    /// The expiry <c>ttlInSeconds</c> asks for: none when absent, -1 or 0; a whole number of
    /// seconds otherwise. Below -1 or not a number is an error, as components-contrib's
    /// <c>ParseTTL</c> reports it.
    /// </summary>
    public static TimeSpan? ParseTtl(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(TtlMetadataKey, out var text) || string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new FormatException($"incorrect value for metadata '{TtlMetadataKey}': '{text}' is not an integer");
        }

        if (seconds < -1 || seconds > int.MaxValue)
        {
            throw new FormatException($"incorrect value for metadata '{TtlMetadataKey}': must be -1 or greater");
        }

        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    private async Task WriteAsync(string storeName, IReadOnlyList<StateWrite> items, Func<Exception, DaprApiException> error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var handle = GetStore(storeName);
        if (items.Count == 0)
        {
            return;
        }

        var transaction = new StateTransaction([.. items.Select(i => ToStored(handle, i, error))], EmptyMetadata) { IsBulk = true };
        try
        {
            await Outbound(storeName).ExecuteAsync(ct => handle.Store.ExecuteAsync(transaction, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Log(error(e));
        }
    }

    private StateOperation ToStored(StateStoreHandle handle, StateWrite write, Func<Exception, DaprApiException> error)
    {
        var key = handle.Settings.KeyPrefix.Apply(write.Operation.Key);
        if (write.Operation is not StateUpsert upsert)
        {
            return write.Operation with { Key = key, Metadata = write.Metadata };
        }

        try
        {
            return upsert with { Key = key, Ttl = ParseTtl(write.Metadata), Metadata = write.Metadata };
        }
        catch (FormatException e)
        {
            throw Log(error(e));
        }
    }

    /// <summary>The store's resiliency <c>outbound</c> policy, which daprd runs around every call to a state store.</summary>
    private ResiliencyPolicy Outbound(string storeName) => _resiliency.ForComponentOutbound(storeName, ComponentKind.Statestore);

    private DaprApiException Log(DaprApiException error)
    {
        _logger.LogDebug("State API error {ErrorCode}: {Message}", error.ErrorCode, error.Message);
        return error;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
}
