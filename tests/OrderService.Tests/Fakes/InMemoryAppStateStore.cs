using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DaprShop.ServiceDefaults.State;

namespace OrderService.Tests.Fakes;

/// <summary>
/// An <see cref="IAppStateStore"/> in memory with the semantics of a Dapr state store under first-write concurrency:
/// values round-trip through JSON (as they do through the sidecar), every write changes the ETag, an insert fails on
/// an existing key, and a replace fails on a stale ETag. Shared by the service test projects (linked source).
/// </summary>
public sealed class InMemoryAppStateStore : IAppStateStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, (string Json, long Version)> items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> conflictsToInject = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Action> beforeNextWrite = new(StringComparer.Ordinal);
    private long version;
    private int writes;
    private int reads;

    /// <summary>How many writes (inserts and replaces) succeeded.</summary>
    public int Writes => Volatile.Read(ref writes);

    /// <summary>How many reads (single and bulk) were asked.</summary>
    public int Reads => Volatile.Read(ref reads);

    /// <summary>The keys that hold a value, in ordinal order.</summary>
    public IReadOnlyList<string> Keys => [.. items.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Makes the next <paramref name="count"/> writes of <paramref name="key"/> fail as if another writer won.</summary>
    public void InjectConflicts(string key, int count) => conflictsToInject[key] = count;

    /// <summary>Runs <paramref name="interleave"/> once, just before the next write of <paramref name="key"/>: another writer getting in between a read and a write.</summary>
    public void BeforeNextWrite(string key, Action interleave) => beforeNextWrite[key] = interleave;

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> whatever is there, as another writer would.</summary>
    public void Put<T>(string key, T value) => items[key] = (JsonSerializer.Serialize(value, Json), Interlocked.Increment(ref version));

    /// <summary>The next delete throws, as the sidecar's state API does when the store fails.</summary>
    public bool FailNextDelete { get; set; }

    public bool Contains(string key) => items.ContainsKey(key);

    public T? Peek<T>(string key)
        where T : class =>
        items.TryGetValue(key, out var item) ? JsonSerializer.Deserialize<T>(item.Json, Json) : null;

    public Task<AppStateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref reads);
        AppStateEntry<T>? entry = items.TryGetValue(key, out var item)
            ? new AppStateEntry<T>(JsonSerializer.Deserialize<T>(item.Json, Json)!, item.Version.ToString(CultureInfo.InvariantCulture))
            : null;
        return Task.FromResult(entry);
    }

    public Task<IReadOnlyList<T>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref reads);
        IReadOnlyList<T> values = [.. keys.Select(key => Peek<T>(key)).OfType<T>()];
        return Task.FromResult(values);
    }

    public Task<bool> TryInsertAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        RunInterleaved(key);
        if (ConsumeInjectedConflict(key))
        {
            return Task.FromResult(false);
        }

        var inserted = items.TryAdd(key, (JsonSerializer.Serialize(value, Json), Interlocked.Increment(ref version)));
        return Task.FromResult(Count(inserted));
    }

    public Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        RunInterleaved(key);
        if (ConsumeInjectedConflict(key) || !items.TryGetValue(key, out var current) || current.Version.ToString(CultureInfo.InvariantCulture) != etag)
        {
            return Task.FromResult(false);
        }

        var replaced = items.TryUpdate(key, (JsonSerializer.Serialize(value, Json), Interlocked.Increment(ref version)), current);
        return Task.FromResult(Count(replaced));
    }

    public Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (FailNextDelete)
        {
            FailNextDelete = false;
            throw new Dapr.DaprException($"the state store failed to delete {key}");
        }

        RunInterleaved(key);
        if (ConsumeInjectedConflict(key) || !items.TryGetValue(key, out var current) || current.Version.ToString(CultureInfo.InvariantCulture) != etag)
        {
            return Task.FromResult(false);
        }

        return Task.FromResult(Count(items.TryRemove(new KeyValuePair<string, (string, long)>(key, current))));
    }

    private void RunInterleaved(string key)
    {
        if (beforeNextWrite.TryRemove(key, out var interleave))
        {
            interleave();
        }
    }

    private bool ConsumeInjectedConflict(string key)
    {
        while (conflictsToInject.TryGetValue(key, out var remaining) && remaining > 0)
        {
            if (conflictsToInject.TryUpdate(key, remaining - 1, remaining))
            {
                return true;
            }
        }

        return false;
    }

    private bool Count(bool written)
    {
        if (written)
        {
            Interlocked.Increment(ref writes);
        }

        return written;
    }
}
