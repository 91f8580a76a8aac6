using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Components.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DaprShop.Sidecar.PubSub.Redis;

/// <summary>
/// <c>pubsub.redis</c> (v1): Redis Streams as daprd 1.18 uses them (components-contrib
/// <c>pubsub/redis/redis.go</c>), so daprd and this sidecar can share streams and consumer groups:
/// <list type="bullet">
/// <item>publish: <c>XADD {topic} [MAXLEN ~ n | MINID ~ id] * data {message} [metadata {json}]</c>;</item>
/// <item>subscribe: <c>XGROUP CREATE {topic} {consumerID} 0 MKSTREAM</c> (an existing group is kept,
/// a new one reads the stream from its start), then <c>XREADGROUP GROUP g g COUNT queueDepth BLOCK ...
/// STREAMS {topic} &gt;</c> with the consumer named as the group, into one queue of
/// <c>queueDepth</c> per component served by <c>concurrency</c> workers;</item>
/// <item>acknowledge: <c>XACK</c> once the sidecar handled the message, and also when it failed
/// (daprd 1.17+: retries are resiliency's and dead-letter topics' business) unless the handler's
/// time ran out or the sidecar is stopping, which leaves the message pending;</item>
/// <item>redeliver: when <c>processingTimeout</c> and <c>redeliverInterval</c> are both set, every
/// <c>redeliverInterval</c> (and once at start) pending entries idle for <c>processingTimeout</c> are
/// <c>XCLAIM</c>ed and handled again, so a message a crashed sidecar never acknowledged is
/// delivered after restart; each handler call then runs under a <c>processingTimeout</c> deadline.</item>
/// </list>
/// Each subscription reads on a connection of its own, since a blocking read would hold up every
/// other command on a shared one.
/// </summary>
public sealed class RedisStreamsPubSub : IPubSub, IAsyncDisposable
{
    public const string ComponentType = "pubsub.redis";

    private static readonly TimeSpan ReadBlock = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LoopErrorPause = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions MetadataJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TimeProvider _time;
    private readonly RedisClientSettings _client;
    private readonly RedisStreamsSettings _streams;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _queue;
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _workers;
    private readonly List<StreamSubscription> _subscriptions = [];
    private int _disposed;

    private RedisStreamsPubSub(string name, RedisClientSettings client, RedisStreamsSettings streams, ConnectionMultiplexer redis, ILogger logger, TimeProvider time)
    {
        _name = name;
        _time = time;
        _client = client;
        _streams = streams;
        _redis = redis;
        _db = redis.GetDatabase(client.Database);
        _logger = logger;
        _queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(streams.QueueDepth) { FullMode = BoundedChannelFullMode.Wait });
        _workers = [.. Enumerable.Range(0, streams.Concurrency).Select(_ => Task.Run(WorkAsync))];
    }

    public RedisStreamsSettings Settings => _streams;

    /// <summary>The component factory: reads the metadata and connects (a server out of reach stops start-up).</summary>
    public static RedisStreamsPubSub Create(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var client = RedisClientSettings.FromSpec(spec);
        var streams = RedisStreamsSettings.FromSpec(spec, context.AppId);
        var logger = context.LoggerFactory.CreateLogger<RedisStreamsPubSub>();
        if (streams.RedeliverIntervalIgnored is { } ignored)
        {
            logger.LogWarning(
                "Component {Component}: redeliverInterval '{Value}' is not a number of milliseconds; daprd ignores such a value and so does this sidecar (using {Default})",
                spec.Name,
                ignored,
                RedisStreamsSettings.DefaultRedeliverInterval);
        }

        if (streams.MaxLenApprox > 0 && streams.StreamTtl > TimeSpan.Zero)
        {
            logger.LogWarning("Component {Component}: maxLenApprox and streamTTL cannot be used together; maxLenApprox trims the streams", spec.Name);
        }

        var redis = RedisConnector.Connect(spec, client, $"daprshop-{context.AppId}-{spec.Name}");
        logger.LogInformation("Redis Streams pubsub {Component} connected to {Address}, database {Database}, consumer group {ConsumerId}", spec.Name, client.Address, client.Database, streams.ConsumerId);
        return new RedisStreamsPubSub(spec.Name, client, streams, redis, logger, context.Time);
    }

    public async Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        cancellationToken.ThrowIfCancellationRequested();
        var args = new List<object> { message.Topic };
        if (_streams.MaxLenApprox > 0)
        {
            args.AddRange(["MAXLEN", "~", _streams.MaxLenApprox]);
        }
        else if (_streams.StreamTtl > TimeSpan.Zero)
        {
            var minId = _time.GetUtcNow().Subtract(_streams.StreamTtl).ToUnixTimeMilliseconds();
            args.AddRange(["MINID", "~", string.Create(CultureInfo.InvariantCulture, $"{minId}-1")]);
        }

        args.AddRange(["*", "data", message.Data.ToArray()]);
        if (message.Metadata.Count > 0)
        {
            // As Go's json.Marshal writes a map: keys in order, non-ASCII text as is.
            args.AddRange(["metadata", JsonSerializer.Serialize(new SortedDictionary<string, string>(message.Metadata.ToDictionary(), StringComparer.Ordinal), MetadataJson)]);
        }

        try
        {
            await _db.ExecuteAsync("XADD", args);
        }
        catch (RedisException e)
        {
            throw new InvalidOperationException($"redis streams: error from publish: {e.Message}", e);
        }
    }

    public async Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        var group = _streams.ConsumerId;
        await CreateGroupAsync(request.Topic, group);
        var reader = await RedisConnector.ConnectReaderAsync(_client, $"daprshop-{group}-{_name}-{request.Topic}-reader");
        var subscription = new StreamSubscription(this, request.Topic, group, handler, reader);
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        StreamSubscription[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
        }

        foreach (var subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }

        // Messages still queued or being handled (their subscriptions have stopped) stay pending in Redis: the next start
        // claims them again.
        await _closing.CancelAsync();
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
        await _redis.DisposeAsync();
        _closing.Dispose();
    }

    private async Task CreateGroupAsync(string topic, string group)
    {
        try
        {
            await _db.StreamCreateConsumerGroupAsync(topic, group, "0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: it keeps its position and its pending messages.
        }
    }

    private async Task WorkAsync()
    {
        var closing = _closing.Token;
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(closing))
            {
                try
                {
                    await HandleAsync(delivery, closing);
                }
                catch (Exception e) when (!closing.IsCancellationRequested)
                {
                    _logger.LogError(e, "Handling Redis message {MessageId} of stream {Topic} failed; it stays pending", delivery.Id, delivery.Message.Topic);
                }
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
            // Closing.
        }
    }

    /// <summary>
    /// Hands one message to the sidecar and acknowledges it when handled, or when it failed while its subscription
    /// still runs and within its time. A message whose subscription stopped (the app unsubscribed or the sidecar is
    /// stopping) before or while it was handled, or whose time ran out, stays pending: it is claimed again later, by
    /// this sidecar or the next.
    /// </summary>
    private async Task HandleAsync(Delivery delivery, CancellationToken closing)
    {
        if (delivery.Stopped.IsCancellationRequested)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_streams.Redelivers ? _streams.ProcessingTimeout : Timeout.InfiniteTimeSpan, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(closing, delivery.Stopped, timeout.Token);

        HandlerResult result;
        try
        {
            result = await delivery.Handler(delivery.Message, deadline.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || deadline.IsCancellationRequested)
        {
            _logger.LogError(e, "Error processing Redis message {MessageId} of stream {Topic}", delivery.Id, delivery.Message.Topic);
            result = HandlerResult.Failure;
        }

        if (result == HandlerResult.Failure)
        {
            if (deadline.IsCancellationRequested)
            {
                _logger.LogWarning("Redis message {MessageId} of stream {Topic} not handled in time or while stopping; it stays pending", delivery.Id, delivery.Message.Topic);
                return;
            }

            _logger.LogError("Error processing Redis message {MessageId} of stream {Topic}: the sidecar could not handle it; acknowledged, as daprd does", delivery.Id, delivery.Message.Topic);
        }

        try
        {
            await _db.StreamAcknowledgeAsync(delivery.Message.Topic, delivery.Group, delivery.Id);
        }
        catch (RedisException e)
        {
            _logger.LogError(e, "Error acknowledging Redis message {MessageId} of stream {Topic}", delivery.Id, delivery.Message.Topic);
        }
    }

    private ValueTask EnqueueAsync(StreamSubscription subscription, string id, IReadOnlyList<KeyValuePair<string, RedisValue>> fields, CancellationToken cancellationToken)
    {
        byte[] data = [];
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (name == "data" && !value.IsNull)
            {
                data = (byte[])value!;
            }
            else if (name == "metadata" && !value.IsNull)
            {
                try
                {
                    metadata = JsonSerializer.Deserialize<Dictionary<string, string>>((string)value!) ?? [];
                }
                catch (JsonException e)
                {
                    _logger.LogWarning("Could not read the metadata of Redis message {MessageId}: {Reason}", id, e.Message);
                }
            }
        }

        var message = new PubSubMessage(subscription.Topic, data, null, metadata);
        return _queue.Writer.WriteAsync(new Delivery(id, subscription.Group, message, subscription.Handler, cancellationToken), cancellationToken);
    }

    /// <summary>One message read from a stream; <paramref name="Stopped"/> ends when its subscription stops.</summary>
    private sealed record Delivery(string Id, string Group, PubSubMessage Message, PubSubHandler Handler, CancellationToken Stopped);

    /// <summary>One topic's reading and reclaiming loops for the component's consumer group.</summary>
    private sealed class StreamSubscription : IAsyncDisposable
    {
        private readonly RedisStreamsPubSub _owner;
        private readonly ConnectionMultiplexer _reader;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private readonly Task _reclaiming;
        private int _disposed;

        public StreamSubscription(RedisStreamsPubSub owner, string topic, string group, PubSubHandler handler, ConnectionMultiplexer reader)
        {
            _owner = owner;
            _reader = reader;
            Topic = topic;
            Group = group;
            Handler = handler;
            _reading = Task.Run(() => ReadAsync(_stop.Token));
            _reclaiming = owner._streams.Redelivers ? Task.Run(() => ReclaimLoopAsync(_stop.Token)) : Task.CompletedTask;
        }

        public string Topic { get; }

        public string Group { get; }

        public PubSubHandler Handler { get; }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _stop.CancelAsync();
            await _reader.CloseAsync(allowCommandsToComplete: false);
            await Task.WhenAll(_reading, _reclaiming);
            await _reader.DisposeAsync();
            _stop.Dispose();
            lock (_owner._subscriptions)
            {
                _owner._subscriptions.Remove(this);
            }
        }

        private async Task ReadAsync(CancellationToken stop)
        {
            var db = _reader.GetDatabase(_owner._client.Database);
            var count = _owner._streams.QueueDepth.ToString(CultureInfo.InvariantCulture);
            var block = ((long)ReadBlock.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            while (!stop.IsCancellationRequested)
            {
                RedisResult reply;
                try
                {
                    reply = await db.ExecuteAsync("XREADGROUP", "GROUP", Group, Group, "COUNT", count, "BLOCK", block, "STREAMS", Topic, ">");
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    if (e.Message.Contains("NOGROUP", StringComparison.Ordinal))
                    {
                        _owner._logger.LogWarning("Consumer group {Group} of stream {Topic} is gone (data loss, or deleted); creating it again", Group, Topic);
                        await TryAsync(() => _owner.CreateGroupAsync(Topic, Group));
                    }
                    else
                    {
                        _owner._logger.LogError(e, "Error reading from stream {Topic}", Topic);
                    }

                    await PauseAsync(LoopErrorPause, stop);
                    continue;
                }

                try
                {
                    foreach (var (id, fields) in ReadEntries(reply))
                    {
                        await _owner.EnqueueAsync(this, id, fields, stop);
                    }
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    // Stopping; what was read and not queued stays pending.
                    return;
                }
                catch (InvalidCastException e)
                {
                    _owner._logger.LogError(e, "Unexpected XREADGROUP reply from stream {Topic}", Topic);
                    await PauseAsync(LoopErrorPause, stop);
                }
            }
        }

        private async Task ReclaimLoopAsync(CancellationToken stop)
        {
            try
            {
                using var timer = new PeriodicTimer(_owner._streams.RedeliverInterval, _owner._time);
                do
                {
                    try
                    {
                        await ReclaimAsync(stop);
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested)
                    {
                        _owner._logger.LogError(e, "Error claiming pending messages of stream {Topic}; trying again in {Interval}", Topic, _owner._streams.RedeliverInterval);
                    }
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Unsubscribed.
            }
        }

        /// <summary>
        /// Claims the entries pending for at least processingTimeout and queues them again. An entry the claim leaves
        /// out is claimed once more on its own without an idle time, as daprd does: if that finds nothing, the entry
        /// is gone from the stream (trimmed or deleted) and is acknowledged; if it finds the entry (someone else had
        /// just claimed it), it is delivered.
        /// </summary>
        private async Task ReclaimAsync(CancellationToken stop)
        {
            var db = _owner._db;
            var timeout = (long)_owner._streams.ProcessingTimeout.TotalMilliseconds;
            while (!stop.IsCancellationRequested)
            {
                var pending = await db.StreamPendingMessagesAsync(Topic, Group, _owner._streams.QueueDepth, RedisValue.Null);
                var stale = pending.Where(p => p.IdleTimeInMilliseconds >= timeout).Select(p => p.MessageId).ToArray();
                if (stale.Length == 0)
                {
                    return;
                }

                var claimed = (await db.StreamClaimAsync(Topic, Group, Group, timeout, stale)).Where(e => !e.IsNull).ToList();
                var found = claimed.Select(e => (string)e.Id!).ToHashSet(StringComparer.Ordinal);
                foreach (var missing in stale.Where(id => !found.Contains((string)id!)))
                {
                    var again = (await db.StreamClaimAsync(Topic, Group, Group, 0, [missing])).Where(e => !e.IsNull).ToList();
                    if (again.Count == 0)
                    {
                        await db.StreamAcknowledgeAsync(Topic, Group, missing);
                    }

                    claimed.AddRange(again);
                }

                if (claimed.Count > 0)
                {
                    _owner._logger.LogInformation("Redelivering {Count} messages of stream {Topic} pending for over {Timeout}", claimed.Count, Topic, _owner._streams.ProcessingTimeout);
                }

                foreach (var entry in claimed)
                {
                    await _owner.EnqueueAsync(this, entry.Id!, [.. entry.Values.Select(v => new KeyValuePair<string, RedisValue>(v.Name!, v.Value))], stop);
                }
            }
        }

        private static IEnumerable<(string Id, IReadOnlyList<KeyValuePair<string, RedisValue>> Fields)> ReadEntries(RedisResult reply)
        {
            if (reply.IsNull)
            {
                yield break;
            }

            foreach (var stream in (RedisResult[])reply!)
            {
                var parts = (RedisResult[])stream!;
                foreach (var entry in (RedisResult[])parts[1]!)
                {
                    var item = (RedisResult[])entry!;
                    var values = item[1].IsNull ? [] : (RedisResult[])item[1]!;
                    var fields = new List<KeyValuePair<string, RedisValue>>(values.Length / 2);
                    for (var i = 0; i + 1 < values.Length; i += 2)
                    {
                        fields.Add(new((string)values[i]!, (RedisValue)values[i + 1]));
                    }

                    yield return ((string)item[0]!, fields);
                }
            }
        }

        private async Task PauseAsync(TimeSpan pause, CancellationToken stop)
        {
            try
            {
                await Task.Delay(pause, _owner._time, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        private async Task TryAsync(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (RedisException e)
            {
                _owner._logger.LogError(e, "Creating consumer group {Group} of stream {Topic} failed", Group, Topic);
            }
        }
    }
}
