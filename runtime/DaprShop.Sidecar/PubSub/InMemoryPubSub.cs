using DaprShop.Sidecar.Components;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// <c>pubsub.in-memory</c> for one sidecar, over the run's shared <see cref="InMemoryBroker"/> of
/// the same component name. Like components-contrib's in-memory component
/// (<c>pubsub/in-memory/in-memory.go</c>) it has no metadata, hands each subscriber the
/// subscription's metadata with every message, and redelivers by itself: a message the sidecar
/// could not handle is delivered again 100 ms later, 10 deliveries at most, then given up.
/// </summary>
public sealed class InMemoryPubSub : IPubSub, IAsyncDisposable
{
    public const string ComponentType = "pubsub.in-memory";

    /// <summary>Deliveries of one message before the component gives up on it.</summary>
    public const int MaxDeliveries = 10;

    /// <summary>The pause after a failed delivery.</summary>
    public static readonly TimeSpan RedeliveryDelay = TimeSpan.FromMilliseconds(100);

    private readonly InMemoryBroker _broker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<IAsyncDisposable> _subscriptions = [];

    public InMemoryPubSub(InMemoryBroker broker, TimeProvider time, ILogger<InMemoryPubSub> logger)
    {
        _broker = broker;
        _time = time;
        _logger = logger;
    }

    /// <summary>The component factory: the broker is shared per component name across the cluster.</summary>
    public static InMemoryPubSub Create(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var broker = context.Cluster.GetOrAddShared(spec.Name, () => new InMemoryBroker(spec.Name, context.LoggerFactory));
        return new InMemoryPubSub(broker, context.Time, context.LoggerFactory.CreateLogger<InMemoryPubSub>());
    }

    public Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _broker.Publish(message);
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        var subscription = _broker.Subscribe(
            request.Topic,
            request.ConsumerGroup,
            (message, ct) => DeliverAsync(message with { Topic = request.Topic, ContentType = null, Metadata = request.Metadata }, handler, ct));
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
        }

        return Task.FromResult(subscription);
    }

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();
        }

        foreach (var subscription in subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task DeliverAsync(PubSubMessage message, PubSubHandler handler, CancellationToken cancellationToken)
    {
        for (var delivery = 1; delivery <= MaxDeliveries; delivery++)
        {
            if (await handler(message, cancellationToken) == HandlerResult.Success)
            {
                return;
            }

            _logger.LogError("Delivery {Delivery} of {MaxDeliveries} of a message on topic {Topic} of {PubsubName} failed", delivery, MaxDeliveries, message.Topic, _broker.Name);
            await Task.Delay(RedeliveryDelay, _time, cancellationToken);
        }

        _logger.LogWarning("Giving up on a message on topic {Topic} of {PubsubName} after {MaxDeliveries} deliveries", message.Topic, _broker.Name, MaxDeliveries);
    }
}
