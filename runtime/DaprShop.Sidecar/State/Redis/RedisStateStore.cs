using System.Globalization;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Components.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DaprShop.Sidecar.State.Redis;

/// <summary>
/// <c>state.redis</c> (v1) on StackExchange.Redis, keeping data in daprd's layout so that a real
/// daprd can take over the same Redis and the other way round (components-contrib v1.18
/// <c>state/redis/redis.go</c>; the facts are in <c>reference/daprd-wire-formats.md</c>):
/// <list type="bullet">
/// <item>one hash per stored key with <c>data</c> (the value bytes), <c>version</c> (the ETag) and
/// <c>first-write</c> (<see cref="RedisStateScripts"/>);</item>
/// <item>a save or delete on its own (<c>SaveState</c>, <c>DeleteState</c>, <c>DeleteBulkState</c>:
/// <see cref="StateTransaction.IsBulk"/>) runs its script, then <c>EXPIRE</c> (ttl &gt; 0) or
/// <c>PERSIST</c> (ttl ≤ 0) when a TTL is given; several run side by side, each succeeding or
/// failing alone;</item>
/// <item>a transaction runs the same scripts, without the first-write mark, in one MULTI/EXEC.
/// Redis has no rollback: a script that fails (a stale ETag) leaves every other write of the
/// transaction applied, and the caller gets the first failure. daprd does exactly this; the
/// local store is not kinder, so a caller that relies on all-or-nothing fails here as it would on
/// real Dapr;</item>
/// <item>reads are <c>HGETALL</c>; a key that is a plain string (a legacy value) reads without an
/// ETag; TTLs are Redis expiries, so an expired item is simply gone, and reads carry no expiry
/// time.</item>
/// </list>
/// RedisJSON documents (daprd's mode for <c>contentType: application/json</c>: for a single save when
/// the server has the JSON module, in a transaction always) and the query API are not implemented; such
/// a transaction operation fails inside the MULTI, as it does with daprd on a server without the module.
/// </summary>
public sealed class RedisStateStore : IStateStore, IStateKeyQuery, IAsyncDisposable
{
    public const string ComponentType = "state.redis";

    private const string DataField = "data";
    private const string VersionField = "version";
    private const string NoVersion = "0";

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly int? _defaultTtlSeconds;

    private RedisStateStore(ConnectionMultiplexer redis, int database, int? defaultTtlSeconds)
    {
        _redis = redis;
        _db = redis.GetDatabase(database);
        _defaultTtlSeconds = defaultTtlSeconds;
    }

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    /// <summary>The component factory: reads the metadata and connects (a server out of reach stops start-up).</summary>
    public static RedisStateStore Create(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var settings = RedisClientSettings.FromSpec(spec);
        int? ttl = spec.Metadata.Contains("ttlInSeconds") && !string.IsNullOrEmpty(spec.Metadata.Get("ttlInSeconds"))
            ? spec.Metadata.Number("ttlInSeconds", 0)
            : null;
        var redis = RedisConnector.Connect(spec, settings, $"daprshop-{context.AppId}-{spec.Name}");
        context.LoggerFactory.CreateLogger<RedisStateStore>().LogInformation(
            "Redis state store {Component} connected to {Address}, database {Database}",
            spec.Name,
            settings.Address,
            settings.Database);
        return new RedisStateStore(redis, settings.Database, ttl);
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        HashEntry[] fields;
        try
        {
            fields = await _db.HashGetAllAsync(key);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // daprd falls back to a plain GET for values stored before it used hashes; they have no ETag.
            var plain = await _db.StringGetAsync(key);
            return plain.IsNull ? null : new StateEntry((byte[])plain!, string.Empty, null);
        }

        return ToEntry(fields);
    }

    public async Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return await Task.WhenAll(keys.Select(async key =>
        {
            try
            {
                return new BulkStateEntry(key, await GetAsync(key, cancellationToken));
            }
            catch (Exception e) when (e is RedisException or InvalidOperationException)
            {
                return new BulkStateEntry(key, null, e.Message);
            }
        }));
    }

    public Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        cancellationToken.ThrowIfCancellationRequested();
        return transaction.Operations.Count == 0 ? Task.CompletedTask
            : transaction.IsBulk ? ExecuteOneByOneAsync(transaction.Operations)
            : ExecuteMultiAsync(transaction.Operations);
    }

    /// <summary>
    /// Every live key that starts with <paramref name="prefix"/>, found with <c>SCAN MATCH</c> (1,000
    /// keys a step, as daprd's <c>KeysLike</c>), in ordinal key order. Keys that are not state
    /// hashes are left out.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> QueryByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(_db.Database, GlobEscape(prefix) + "*", pageSize: 1000).WithCancellation(cancellationToken))
        {
            keys.Add(key!);
        }

        keys.Sort(StringComparer.Ordinal);
        var entries = await Task.WhenAll(keys.Select(async key =>
        {
            try
            {
                return (Key: key, Entry: ToEntry(await _db.HashGetAllAsync(key)));
            }
            catch (Exception e) when (e is RedisServerException or InvalidOperationException)
            {
                return (Key: key, Entry: (StateEntry?)null);
            }
        }));
        return [.. entries.Where(e => e.Entry is not null).Select(e => new KeyValuePair<string, StateEntry>(e.Key, e.Entry!))];
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private static StateEntry? ToEntry(HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        RedisValue data = RedisValue.Null, version = RedisValue.Null;
        foreach (var field in fields)
        {
            if (field.Name == DataField)
            {
                data = field.Value;
            }
            else if (field.Name == VersionField)
            {
                version = field.Value;
            }
        }

        return data.IsNull || version.IsNull
            ? throw new InvalidOperationException("required hash field 'data' or 'version' was not found")
            : new StateEntry((byte[])data!, (string)version!, null);
    }

    private async Task ExecuteOneByOneAsync(IReadOnlyList<StateOperation> operations)
    {
        // daprd's BulkSet/BulkDelete run the single writes side by side; each succeeds or fails alone.
        var writes = operations.Select(operation => operation is StateUpsert upsert ? SetAsync(upsert) : DeleteAsync((StateDelete)operation)).ToList();
        try
        {
            await Task.WhenAll(writes);
        }
        catch
        {
            throw StateBulkErrors.Combine([.. writes.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException!)]);
        }
    }

    private async Task SetAsync(StateUpsert upsert)
    {
        var version = ExpectedVersion(upsert);
        try
        {
            await _db.ScriptEvaluateAsync(
                RedisStateScripts.Set,
                [upsert.Key],
                [version, upsert.Value, upsert.Concurrency == StateConcurrency.FirstWrite ? "0" : "1"]);
        }
        catch (RedisException e)
        {
            // daprd reports any failure of a save with an ETag as an ETag mismatch, a lost connection included.
            throw upsert.HasETag
                ? new StateETagException(ETagErrorKind.Mismatch, e.Message)
                : new InvalidOperationException($"failed to set key {upsert.Key}: {e.Message}", e);
        }

        switch (TtlSeconds(upsert))
        {
            case > 0 and var seconds:
                await _db.KeyExpireAsync(upsert.Key, TimeSpan.FromSeconds(seconds));
                break;
            case <= 0:
                await _db.KeyPersistAsync(upsert.Key);
                break;
        }
    }

    private async Task DeleteAsync(StateDelete delete)
    {
        try
        {
            await _db.ScriptEvaluateAsync(RedisStateScripts.Delete, [delete.Key], [delete.HasETag ? delete.ETag : NoVersion]);
        }
        catch (RedisException e)
        {
            // daprd reports any failure of a delete as an ETag mismatch, a lost connection included.
            throw new StateETagException(ETagErrorKind.Mismatch, e.Message);
        }
    }

    private async Task ExecuteMultiAsync(IReadOnlyList<StateOperation> operations)
    {
        var transaction = _db.CreateTransaction();
        var writes = new List<Task>(operations.Count);
        var extras = new List<Task>();
        foreach (var operation in operations)
        {
            if (operation is StateUpsert upsert)
            {
                if (upsert.Metadata?.GetValueOrDefault("contentType") == "application/json")
                {
                    // daprd writes such an operation as a RedisJSON document (JSON.SET) whether or not the server has the
                    // module; without it the operation fails inside the MULTI and the others stay applied. RedisJSON is
                    // not implemented here, so the operation fails the same way on every server.
                    writes.Add(transaction.ScriptEvaluateAsync(
                        "return redis.error_reply('failed to set key ' .. KEYS[1] .. ': contentType application/json is stored as a RedisJSON document, which DaprShop\\'s local runtime does not implement')",
                        [upsert.Key]));
                    continue;
                }

                writes.Add(transaction.ScriptEvaluateAsync(RedisStateScripts.Set, [upsert.Key], [ExpectedVersion(upsert), upsert.Value]));
                switch (TtlSeconds(upsert))
                {
                    case > 0 and var seconds:
                        extras.Add(transaction.KeyExpireAsync(upsert.Key, TimeSpan.FromSeconds(seconds)));
                        break;
                    case <= 0:
                        extras.Add(transaction.KeyPersistAsync(upsert.Key));
                        break;
                }
            }
            else
            {
                writes.Add(transaction.ScriptEvaluateAsync(RedisStateScripts.Delete, [operation.Key], [operation.HasETag ? operation.ETag : NoVersion]));
            }
        }

        try
        {
            await transaction.ExecuteAsync();
            await Task.WhenAll([.. writes, .. extras]);
        }
        catch (Exception e) when (e is RedisException or TaskCanceledException)
        {
            // Redis ran every command it could; report the first that failed, as go-redis's Exec does.
            var failed = writes.Concat(extras).FirstOrDefault(t => t.IsFaulted)?.Exception?.InnerException;
            throw new InvalidOperationException((failed ?? e).Message, failed ?? e);
        }
    }

    /// <summary>The version a write expects: "0" (none) without an ETag, else the ETag as an integer (anything else is an invalid ETag).</summary>
    private static string ExpectedVersion(StateUpsert upsert)
    {
        if (!upsert.HasETag)
        {
            return NoVersion;
        }

        return long.TryParse(upsert.ETag, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version)
            ? version.ToString(CultureInfo.InvariantCulture)
            : throw new StateETagException(ETagErrorKind.Invalid, $"strconv.Atoi: parsing \"{upsert.ETag}\": invalid syntax");
    }

    /// <summary>
    /// The write's TTL in seconds: its own (request metadata <c>ttlInSeconds</c>; -1 and 0 included, which clear an
    /// expiry), else the component's <c>ttlInSeconds</c>, else none (an existing expiry then stays).
    /// </summary>
    private int? TtlSeconds(StateUpsert upsert)
    {
        if (upsert.Ttl is { } ttl)
        {
            return (int)Math.Ceiling(ttl.TotalSeconds);
        }

        return upsert.Metadata?.GetValueOrDefault(StateService.TtlMetadataKey) is { Length: > 0 } text
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : _defaultTtlSeconds;
    }

    private static string GlobEscape(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
