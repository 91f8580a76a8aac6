using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.PubSub;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.State.Outbox;

/// <summary>
/// Publishes committed outbox rows (<see cref="OutboxMessage"/>) one at a time in commit order, and deletes
/// what it published in batches (what was queued meanwhile, one transaction each). At start it picks up the rows an earlier process committed but did not publish, so
/// a crash between commit and publish loses nothing; a publish that fails is retried with
/// exponential backoff (0.5 s doubling to 30 s) until it succeeds. Delivery is at least once, as with
/// daprd: a crash after a publish and before its batch is deleted publishes those messages again.
/// </summary>
/// <remarks>
/// With several instances of the app (<c>--replicas</c>), each publishes what its own transactions committed. Every
/// <see cref="SweepInterval"/> each also takes up the rows no live instance holds that were committed more than
/// <see cref="OrphanAge"/> ago: those of an instance that died (daprd gets the same from its internal outbox topic,
/// which the app's instances consume as one group).
/// </remarks>
public sealed class OutboxRelay : IHostedService, IAsyncDisposable
{
    /// <summary>
    /// The relay's meter: <c>daprshop.outbox.pending</c>, a gauge of the messages committed and not yet published and
    /// deleted (the backlog between a state transaction and its subscribers), tagged with the sidecar's <c>app_id</c>.
    /// </summary>
    public const string MeterName = "DaprShop.Sidecar.Outbox";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    /// <summary>How old a row no live instance holds must be before the sweep takes it (a commit is queued just after it).</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromSeconds(2);

    /// <summary>How often each relay looks for rows no live instance holds.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    /// <summary>At most this many published rows are deleted in one transaction.</summary>
    private const int MaxBatch = 64;

    private readonly SidecarContext _sidecar;
    private readonly TimeProvider _time;
    private readonly PubSubPublisher _publisher;
    private readonly ILogger _logger;
    private readonly Dictionary<string, (IStateStore Store, OutboxSettings Settings)> _stores;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Meter _meter = new(MeterName);
    private Task _loop = Task.CompletedTask;
    private Task _sweep = Task.CompletedTask;
    private int _stopped;

    public OutboxRelay(SidecarContext sidecar, PubSubPublisher publisher, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _sidecar = sidecar;
        _time = sidecar.Time;
        _publisher = publisher;
        _logger = loggerFactory.CreateLogger($"daprd.{sidecar.AppId}.outbox");
        _stores = sidecar.Components.OfType<IStateStore>()
            .Select(c => (c.Spec.Name, c.Instance, Settings: OutboxSettings.FromSpec(c.Spec)))
            .Where(c => c.Settings is not null)
            .ToDictionary(c => c.Name, c => (c.Instance, c.Settings!), StringComparer.Ordinal);
        if (_stores.Count > 0)
        {
            _meter.CreateObservableGauge(
                "daprshop.outbox.pending",
                ObservePending,
                unit: "{message}",
                description: "Outbox messages committed and not yet published and deleted.");
        }
    }

    /// <summary>The outbox of a state store, or null when it has none.</summary>
    public OutboxSettings? SettingsFor(string storeName) => _stores.TryGetValue(storeName, out var store) ? store.Settings : null;

    /// <summary>
    /// Queues a row for publishing (ignored when already queued). <paramref name="ifStored"/>: the row's transaction
    /// failed, so publish only if the row is stored all the same (a store without rollback), else forget it.
    /// </summary>
    /// <returns>Whether the row was queued now.</returns>
    public bool Enqueue(string storeName, string key, OutboxMessage message, bool ifStored = false)
    {
        lock (_gate)
        {
            if (!_pending.Add(key))
            {
                return false;
            }
        }

        return _queue.Writer.TryWrite(new Pending(storeName, key, message, ifStored));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, (_, settings)) in _stores)
        {
            if (_sidecar.Components.Get<IPubSub>(settings.OutboxPubsub) is null || _sidecar.Components.Get<IPubSub>(settings.PublishPubsub) is null)
            {
                // daprd warns here; the shop's scopes leave pubsub out of the apps that make no transactions on purpose,
                // so the runner says it once per sidecar as information.
                _logger.LogInformation(
                    "Outbox of state store {StateStore} is off in this sidecar: pubsub {PubsubName} is not loaded here (daprd: could not subscribe to internal outbox topic); a transaction on the store would fail",
                    name,
                    settings.PublishPubsub);
            }
        }

        if (_stores.Count > 0)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
            _sweep = Task.Run(() => SweepAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await StopCoreAsync();

    public async ValueTask DisposeAsync()
    {
        await StopCoreAsync();
        _stopping.Dispose();
        _meter.Dispose();
    }

    /// <summary>Messages committed and not yet published and deleted: what the <c>daprshop.outbox.pending</c> gauge reports.</summary>
    public int Backlog
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    private Measurement<int> ObservePending() => new(Backlog, new KeyValuePair<string, object?>("app_id", _sidecar.AppId));

    private async Task StopCoreAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loop, _sweep);
        }
        catch (OperationCanceledException)
        {
            // The relay ends by cancellation; unpublished rows stay for the next start.
        }

    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(OtherInstances().Count > 0 ? OrphanAge : TimeSpan.Zero, cancellationToken);
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            // Publish what is queued, in commit order, then delete the whole batch in one transaction: under load
            // the relay keeps up with one store commit per batch instead of one per message.
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                var due = pending.Message.CreatedAt + _sidecar.Options.OutboxPublishDelay - _time.GetUtcNow();
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, cancellationToken);
                }

                if (pending.IfStored && !await IsStoredAsync(pending, cancellationToken))
                {
                    lock (_gate)
                    {
                        _pending.Remove(pending.Key);
                    }

                    continue;
                }

                await PublishAsync(pending, cancellationToken);
                batch.Add(pending);
            }

            foreach (var store in batch.GroupBy(p => p.StoreName, StringComparer.Ordinal))
            {
                await DeleteAsync(store.Key, [.. store.Select(p => p.Key)], cancellationToken);
            }

            lock (_gate)
            {
                foreach (var published in batch)
                {
                    _pending.Remove(published.Key);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Whether this relay has the row queued or is publishing it.</summary>
    public bool Holds(string key)
    {
        lock (_gate)
        {
            return _pending.Contains(key);
        }
    }

    /// <summary>The relays of the app's other live instances.</summary>
    private List<OutboxRelay> OtherInstances()
    {
        var relays = new List<OutboxRelay>();
        foreach (var instance in _sidecar.Cluster.Instances(_sidecar.AppId).Where(s => !ReferenceEquals(s.Context, _sidecar)))
        {
            try
            {
                if (instance.Services.GetService(typeof(OutboxRelay)) is OutboxRelay relay)
                {
                    relays.Add(relay);
                }
            }
            catch (ObjectDisposedException)
            {
                // Stopping meanwhile: it holds nothing any more.
            }
        }

        return relays;
    }

    /// <summary>Every <see cref="SweepInterval"/>, takes up the rows no live instance of the app holds (those of one that died).</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SweepInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await RecoverAsync(OrphanAge, cancellationToken);
        }
    }

    /// <summary>Queues the stored rows committed at least <paramref name="minAge"/> ago that are not queued yet.</summary>
    private async Task RecoverAsync(TimeSpan minAge, CancellationToken cancellationToken)
    {
        var prefix = OutboxMessage.PrefixFor(_sidecar.AppId);
        foreach (var (name, (store, _)) in _stores)
        {
            if (store is not IStateKeyQuery query)
            {
                continue;
            }

            IReadOnlyList<KeyValuePair<string, StateEntry>> rows = [];
            await RetryAsync(
                async ct => rows = await query.QueryByPrefixAsync(prefix, ct),
                e => _logger.LogWarning("Listing the outbox rows of state store {StateStore} failed, will retry: {Reason}", name, e.Message),
                cancellationToken);
            var found = new List<(string Key, OutboxMessage Message)>();
            foreach (var (key, entry) in rows)
            {
                try
                {
                    found.Add((key, OutboxMessage.Parse(entry.Value.Span)));
                }
                catch (JsonException e)
                {
                    _logger.LogError("Outbox row {Key} of state store {StateStore} is not readable and is left as it is: {Problem}", key, name, e.Message);
                }
            }

            var due = _time.GetUtcNow() - minAge;
            var others = minAge > TimeSpan.Zero ? OtherInstances() : [];
            var orphaned = found
                .Where(f => f.Message.CreatedAt <= due && !Holds(f.Key) && !others.Exists(o => o.Holds(f.Key)))
                .OrderBy(f => f.Message.CreatedAt)
                .ToList();
            // Taken from another instance: published only if still stored when its turn comes (that instance may have
            // published and deleted it meanwhile).
            var taken = orphaned.Count(f => Enqueue(name, f.Key, f.Message, ifStored: minAge > TimeSpan.Zero));
            if (taken > 0)
            {
                _logger.LogInformation("Outbox of state store {StateStore}: {Count} committed messages left to publish", name, taken);
            }
        }
    }

    private async Task PublishAsync(Pending pending, CancellationToken cancellationToken)
    {
        var message = pending.Message;
        var cloudEvent = CloudEvents.Read(JsonSerializer.SerializeToUtf8Bytes(message.CloudEvent));
        var trace = TraceContext.Parse(cloudEvent is null ? null : CloudEvents.GetString(cloudEvent, CloudEvents.TraceParentField), cloudEvent is null ? null : CloudEvents.GetString(cloudEvent, CloudEvents.TraceStateField))
            ?? TraceContext.NewRoot();
        var request = new PublishRequest(
            message.Pubsub,
            message.Topic,
            JsonSerializer.SerializeToUtf8Bytes(message.CloudEvent),
            CloudEvents.ContentType,
            new Dictionary<string, string>(StringComparer.Ordinal),
            trace);
        await RetryAsync(
            ct => _publisher.PublishAsync(request, ct),
            e => _logger.LogWarning("Publishing outbox message {Key} to topic {Topic} of pubsub {PubsubName} failed, will retry: {Reason}", pending.Key, message.Topic, message.Pubsub, e.Message),
            cancellationToken);
        _logger.LogDebug("Published outbox message {Key} to topic {Topic}", pending.Key, message.Topic);
    }

    private async Task<bool> IsStoredAsync(Pending pending, CancellationToken cancellationToken)
    {
        var stored = false;
        await RetryAsync(
            async ct => stored = await _stores[pending.StoreName].Store.GetAsync(pending.Key, ct) is not null,
            e => _logger.LogWarning("Reading outbox row {Key} of a failed transaction failed, will retry: {Reason}", pending.Key, e.Message),
            cancellationToken);
        if (stored)
        {
            _logger.LogWarning("Outbox row {Key} was stored by a transaction that failed (the store has no rollback); publishing it, as daprd does", pending.Key);
        }

        return stored;
    }

    private Task DeleteAsync(string storeName, string[] keys, CancellationToken cancellationToken)
    {
        var store = _stores[storeName].Store;
        var deletes = StateTransaction.Of([.. keys.Select(key => new StateDelete(key))]);
        return RetryAsync(
            ct => store.ExecuteAsync(deletes, ct),
            e => _logger.LogWarning("Deleting {Count} published outbox rows (first {Key}) failed, will retry: {Reason}", keys.Length, keys[0], e.Message),
            cancellationToken);
    }

    private async Task RetryAsync(Func<CancellationToken, Task> action, Action<Exception> onFailure, CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                await action(cancellationToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                onFailure(e);
            }

            await Task.Delay(delay, _time, cancellationToken);
            delay = delay * 2 < MaxRetry ? delay * 2 : MaxRetry;
        }
    }

    private sealed record Pending(string StoreName, string Key, OutboxMessage Message, bool IfStored);
}
