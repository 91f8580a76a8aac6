using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The broker behind a <c>pubsub.in-memory</c> component. One exists per component name for the
/// whole <see cref="LocalCluster"/> (real daprd keeps one inside each sidecar, so there only the
/// publishing app's own subscribers see a message; here every app of the run shares it, which is
/// what lets the embedded profile work across apps without a server).
/// </summary>
/// <remarks>
/// Each (topic, consumer group) has one queue and one delivery loop: messages reach a subscriber
/// one at a time, in publication order, and each consumer group (app) gets each message once.
/// Publishing only enqueues, so a publisher never waits for subscribers. Queues are bounded: when a
/// subscriber already has <see cref="MaxPendingPerSubscriber"/> messages waiting, the publish fails
/// for every subscriber (nothing is enqueued) and the publisher gets the error, so no accepted
/// message is lost while the sidecars run. A topic without subscribers drops what is published
/// to it, as daprd's in-memory component does.
/// </remarks>
public sealed class InMemoryBroker(string name, ILoggerFactory loggerFactory)
{
    public const int MaxPendingPerSubscriber = 10_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<Consumer>> _topics = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<InMemoryBroker>();

    public string Name { get; } = name;

    /// <exception cref="InvalidOperationException">A subscriber's queue is full.</exception>
    public void Publish(PubSubMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (!_topics.TryGetValue(message.Topic, out var consumers))
            {
                return;
            }

            foreach (var consumer in consumers)
            {
                if (consumer.Pending >= MaxPendingPerSubscriber)
                {
                    throw new InvalidOperationException(
                        $"subscriber '{consumer.Group}' of topic '{message.Topic}' already has {MaxPendingPerSubscriber} messages waiting");
                }
            }

            foreach (var consumer in consumers)
            {
                consumer.Enqueue(message);
            }
        }
    }

    /// <summary>Starts delivering the topic's messages for a consumer group until the returned subscription is disposed.</summary>
    /// <exception cref="InvalidOperationException">The group already subscribes to the topic.</exception>
    public IAsyncDisposable Subscribe(string topic, string group, Func<PubSubMessage, CancellationToken, Task> deliver)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(deliver);
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var consumers))
            {
                consumers = [];
                _topics[topic] = consumers;
            }

            if (consumers.Exists(c => c.Group == group))
            {
                throw new InvalidOperationException($"'{group}' already subscribes to topic '{topic}' of pubsub '{Name}'");
            }

            var consumer = new Consumer(this, topic, group, deliver);
            consumers.Add(consumer);
            return consumer;
        }
    }

    private void Remove(Consumer consumer)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(consumer.Topic, out var consumers) && consumers.Remove(consumer) && consumers.Count == 0)
            {
                _topics.Remove(consumer.Topic);
            }
        }
    }

    private sealed class Consumer : IAsyncDisposable
    {
        private readonly InMemoryBroker _broker;
        private readonly Func<PubSubMessage, CancellationToken, Task> _deliver;
        private readonly Channel<PubSubMessage> _queue = Channel.CreateBounded<PubSubMessage>(
            new BoundedChannelOptions(MaxPendingPerSubscriber) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _disposed;

        public Consumer(InMemoryBroker broker, string topic, string group, Func<PubSubMessage, CancellationToken, Task> deliver)
        {
            _broker = broker;
            Topic = topic;
            Group = group;
            _deliver = deliver;
            _loop = Task.Run(RunAsync);
        }

        public string Topic { get; }

        public string Group { get; }

        public int Pending => _queue.Reader.Count;

        public void Enqueue(PubSubMessage message)
        {
            if (!_queue.Writer.TryWrite(message))
            {
                throw new InvalidOperationException($"subscriber '{Group}' of topic '{Topic}' is closed or full");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            _broker.Remove(this);
            _queue.Writer.TryComplete();
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            var token = _stop.Token;
            try
            {
                await foreach (var message in _queue.Reader.ReadAllAsync(token))
                {
                    try
                    {
                        await _deliver(message, token);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        _broker._logger.LogError(e, "Delivering a message of topic {Topic} of pubsub {PubsubName} to {Group} failed", Topic, _broker.Name, Group);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Unsubscribed.
            }
        }
    }
}
