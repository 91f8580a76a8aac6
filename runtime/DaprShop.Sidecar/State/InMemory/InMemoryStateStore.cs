namespace DaprShop.Sidecar.State.InMemory;

/// <summary>
/// <c>state.in-memory</c>: items in this sidecar's memory, gone when it stops, as daprd keeps
/// them (one store per sidecar, not shared between apps). ETags are fresh GUIDs on every write.
/// </summary>
public sealed class InMemoryStateStore(TimeProvider clock) : IStateStore, IStateKeyQuery
{
    private readonly Dictionary<string, StateEntry> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional | StateFeatures.Ttl;

    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(Live(key, clock.GetUtcNow()));
        }
    }

    public Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            IReadOnlyList<BulkStateEntry> result = [.. keys.Select(k => new BulkStateEntry(k, Live(k, now)))];
            return Task.FromResult(result);
        }
    }

    public Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        cancellationToken.ThrowIfCancellationRequested();
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            // Check every condition first against the state as it evolves through the
            // transaction, then apply: a failure leaves the store untouched.
            var staged = new Dictionary<string, StateEntry?>(StringComparer.Ordinal);
            foreach (var operation in transaction.Operations)
            {
                var current = staged.TryGetValue(operation.Key, out var pending) ? pending : Live(operation.Key, now);
                StateConditions.Check(operation, current?.ETag);
                staged[operation.Key] = operation switch
                {
                    StateUpsert upsert => new StateEntry(upsert.Value.ToArray(), Guid.NewGuid().ToString(), upsert.Ttl is { } ttl ? now + ttl : null),
                    _ => null,
                };
            }

            foreach (var (key, entry) in staged)
            {
                if (entry is null)
                {
                    _items.Remove(key);
                }
                else
                {
                    _items[key] = entry;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> QueryByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            IReadOnlyList<KeyValuePair<string, StateEntry>> result = [.. _items.Keys
                .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(k => (Key: k, Entry: Live(k, now)))
                .Where(e => e.Entry is not null)
                .Select(e => new KeyValuePair<string, StateEntry>(e.Key, e.Entry!))];
            return Task.FromResult(result);
        }
    }

    private StateEntry? Live(string key, DateTimeOffset now)
    {
        if (!_items.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            _items.Remove(key);
            return null;
        }

        return entry;
    }
}
