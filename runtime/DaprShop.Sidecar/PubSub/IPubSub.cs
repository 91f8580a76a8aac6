namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// A <c>pubsub.*</c> component: the seam every message broker plugs into (<c>pubsub.in-memory</c>
/// now, Redis streams later). The sidecar hands it finished messages (CloudEvent envelopes, or raw
/// payloads) and receives them back through a <see cref="PubSubHandler"/>; envelopes, routing,
/// delivery to the app and dead-lettering are the sidecar's, as in daprd.
/// </summary>
public interface IPubSub
{
    /// <summary>Publishes to a topic; completes once the broker has accepted the message.</summary>
    Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Starts delivering the topic's messages to <paramref name="handler"/>, one at a time in
    /// publication order, until the returned subscription is disposed. Every consumer group
    /// (<see cref="SubscribeRequest.ConsumerGroup"/>, the subscribing app's id) gets each message
    /// once. When the handler reports <see cref="HandlerResult.Failure"/>, the component applies its
    /// own redelivery rules.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken);
}

/// <summary>What the sidecar makes of one delivered message.</summary>
public delegate Task<HandlerResult> PubSubHandler(PubSubMessage message, CancellationToken cancellationToken);

/// <summary>daprd's answer to a component's handler call: nil (handled) or an error (the component may redeliver).</summary>
public enum HandlerResult
{
    /// <summary>Handled: delivered, dropped or dead-lettered; the broker forgets it.</summary>
    Success,

    /// <summary>Not handled; the component redelivers it by its own rules.</summary>
    Failure,
}

/// <summary>A message as a broker carries it.</summary>
public sealed record PubSubMessage(
    string Topic,
    ReadOnlyMemory<byte> Data,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A subscription to one topic for one consumer group, with the subscription's metadata.</summary>
public sealed record SubscribeRequest(
    string Topic,
    string ConsumerGroup,
    IReadOnlyDictionary<string, string> Metadata);
