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
/// one at a time, in publication order, and each consumer group (app) gets each message once; with
/// several instances of the app, each message goes to one of them, in turn.
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

    /// <summary>
    /// Starts delivering the topic's messages to a member of a consumer group until the returned subscription is
    /// disposed. The members of a group (the instances of one app) share its queue: each message goes to one of them,
    /// in turn, one message at a time, so the group still sees the topic in publication order.
    /// </summary>
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

            var consumer = consumers.Find(c => c.Group == group);
            if (consumer is null)
            {
                consumer = new Consumer(this, topic, group);
                consumers.Add(consumer);
            }

            return consumer.Join(deliver);
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

    /// <summary>One consumer group of a topic: its queue, its delivery loop, and the members it delivers to.</summary>
    private sealed class Consumer : IDisposable
    {
        private readonly InMemoryBroker _broker;
        private readonly Channel<PubSubMessage> _queue = Channel.CreateBounded<PubSubMessage>(
            new BoundedChannelOptions(MaxPendingPerSubscriber) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        private readonly List<Member> _members = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private uint _next;

        public Consumer(InMemoryBroker broker, string topic, string group)
        {
            _broker = broker;
            Topic = topic;
            Group = group;
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

        /// <summary>Adds a member; called under the broker's lock.</summary>
        public Member Join(Func<PubSubMessage, CancellationToken, Task> deliver)
        {
            var member = new Member(this, deliver);
            lock (_members)
            {
                _members.Add(member);
            }

            return member;
        }

        /// <summary>Removes a member; the last one to leave ends the group and drops what it had not delivered.</summary>
        public async Task LeaveAsync(Member member)
        {
            bool last;
            lock (_broker._gate)
            {
                lock (_members)
                {
                    _members.Remove(member);
                    last = _members.Count == 0;
                }

                if (last)
                {
                    _broker.Remove(this);
                }
            }

            await member.Stop.CancelAsync();
            if (last)
            {
                _queue.Writer.TryComplete();
                await _stop.CancelAsync();
                await _loop;
                Dispose();
            }
        }

        public void Dispose() => _stop.Dispose();

        private Member? NextMember()
        {
            lock (_members)
            {
                return _members.Count == 0 ? null : _members[(int)(_next++ % (uint)_members.Count)];
            }
        }

        private async Task RunAsync()
        {
            var token = _stop.Token;
            try
            {
                await foreach (var message in _queue.Reader.ReadAllAsync(token))
                {
                    await DeliverAsync(message, token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Unsubscribed.
            }
        }

        /// <summary>Delivers to the next member; a member that leaves during the delivery hands the message to another.</summary>
        private async Task DeliverAsync(PubSubMessage message, CancellationToken token)
        {
            while (NextMember() is { } member)
            {
                using var delivery = CancellationTokenSource.CreateLinkedTokenSource(token, member.Stop.Token);
                try
                {
                    await member.Deliver(message, delivery.Token);
                    return;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException) when (member.Stop.IsCancellationRequested)
                {
                    // That member left mid-delivery; the next one gets the message.
                }
                catch (Exception e)
                {
                    _broker._logger.LogError(e, "Delivering a message of topic {Topic} of pubsub {PubsubName} to {Group} failed", Topic, _broker.Name, Group);
                    return;
                }
            }
        }
    }

    /// <summary>One subscriber of a consumer group: an instance of the app.</summary>
    private sealed class Member(Consumer group, Func<PubSubMessage, CancellationToken, Task> deliver) : IAsyncDisposable
    {
        private int _disposed;

        public Func<PubSubMessage, CancellationToken, Task> Deliver { get; } = deliver;

        public CancellationTokenSource Stop { get; } = new();

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Stop is not disposed: the delivery loop may still read its token (it has no timer to free).
                await group.LeaveAsync(this);
            }
        }
    }
}
