using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// What the subscriber's sidecar does with each message a component hands it for a subscription,
/// step by step as daprd's subscription handler (dapr/dapr <c>pkg/runtime/subscription/subscription.go</c>):
/// read the envelope (or wrap a raw payload when the subscription's metadata says
/// <c>rawPayload: true</c>); drop it when its <c>expiration</c> has passed; pick the route (no
/// matching rule: skip it); deliver it under the <see cref="IInboundDeliveryPolicy"/>. A message
/// that is dropped (expired, unrouted, <c>DROP</c>, 404) or still failing once the policy gives up
/// is published unchanged to the subscription's dead-letter topic when it has one and is then
/// handled. Without a dead-letter topic a failure goes back to the component, which applies its
/// own redelivery (for <c>pubsub.in-memory</c>, up to 10 deliveries 100 ms apart).
/// </summary>
public sealed class MessageDispatcher(AppDelivery delivery, IInboundDeliveryPolicy policy, TimeProvider time, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<MessageDispatcher>();

    public async Task<HandlerResult> HandleAsync(Subscription subscription, IPubSub pubsub, PubSubMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(pubsub);
        ArgumentNullException.ThrowIfNull(message);
        var metadata = new Dictionary<string, string>(message.Metadata, StringComparer.Ordinal)
        {
            [AppDelivery.PubsubNameMetadataKey] = subscription.PubsubName,
        };

        if (!PubSubPublisher.TryGetRawPayload(subscription.Metadata, out var rawPayload, out var problem))
        {
            _logger.LogError("Error deserializing pubsub metadata of subscription to topic {Topic}: {Problem}", subscription.Topic, problem);
            return await DeadLetterOrFailAsync(subscription, pubsub, message, cancellationToken);
        }

        JsonObject? cloudEvent;
        var data = message.Data;
        if (rawPayload)
        {
            cloudEvent = CloudEvents.FromRawPayload(message.Data.Span, message.Topic, subscription.PubsubName);
            CopyTraceFields(metadata, cloudEvent);
            data = CloudEvents.Serialize(cloudEvent);
        }
        else
        {
            cloudEvent = CloudEvents.Read(message.Data.Span);
            if (cloudEvent is null)
            {
                _logger.LogError("Error deserializing cloud event in pubsub {PubsubName} and topic {Topic}: not a JSON object", subscription.PubsubName, message.Topic);
                return await DeadLetterOrFailAsync(subscription, pubsub, message, cancellationToken);
            }
        }

        var eventId = CloudEvents.GetString(cloudEvent, CloudEvents.IdField);
        if (CloudEvents.HasExpired(cloudEvent, time))
        {
            _logger.LogWarning("Dropping expired pub/sub event {EventId} as of {Expiration}", eventId, CloudEvents.GetString(cloudEvent, CloudEvents.ExpirationField));
            await TryDeadLetterAsync(subscription, pubsub, message, cancellationToken);
            return HandlerResult.Success;
        }

        string? path;
        try
        {
            path = subscription.RouteFor(cloudEvent);
        }
        catch (InvalidOperationException e)
        {
            _logger.LogError("Error finding matching route for event {EventId} in pubsub {PubsubName} and topic {Topic}: {Problem}", eventId, subscription.PubsubName, message.Topic, e.Message);
            return await DeadLetterOrFailAsync(subscription, pubsub, message, cancellationToken);
        }

        if (path is null)
        {
            _logger.LogDebug("No matching route for event {EventId} in pubsub {PubsubName} and topic {Topic}; skipping", eventId, subscription.PubsubName, message.Topic);
            await TryDeadLetterAsync(subscription, pubsub, message, cancellationToken);
            return HandlerResult.Success;
        }

        var subscribed = new SubscribedEvent(subscription.PubsubName, message.Topic, data, cloudEvent, path, metadata);
        var result = await policy.ExecuteAsync(
            new InboundDelivery(subscription.PubsubName, message.Topic, eventId, ct => delivery.DeliverAsync(subscribed, ct)),
            cancellationToken);
        switch (result.Status)
        {
            case DeliveryStatus.Success:
                return HandlerResult.Success;
            case DeliveryStatus.Drop:
                if (result.StatusCode == 404)
                {
                    _logger.LogError("{Reason}", result.Reason);
                }
                else
                {
                    _logger.LogWarning("{Reason}", result.Reason);
                }

                return subscription.DeadLetterTopic is null || await TryDeadLetterAsync(subscription, pubsub, message, cancellationToken)
                    ? HandlerResult.Success
                    : HandlerResult.Failure;
            default:
                _logger.LogWarning("Delivery of event {EventId} on topic {Topic} to {Path} failed: {Reason}", eventId, message.Topic, path, result.Reason);
                return await DeadLetterOrFailAsync(subscription, pubsub, message, cancellationToken);
        }
    }

    private async Task<HandlerResult> DeadLetterOrFailAsync(Subscription subscription, IPubSub pubsub, PubSubMessage message, CancellationToken cancellationToken) =>
        subscription.DeadLetterTopic is not null && await TryDeadLetterAsync(subscription, pubsub, message, cancellationToken)
            ? HandlerResult.Success
            : HandlerResult.Failure;

    /// <summary>Publishes the message as it arrived to the dead-letter topic, when the subscription has one.</summary>
    private Task<bool> TryDeadLetterAsync(Subscription subscription, IPubSub pubsub, PubSubMessage message, CancellationToken cancellationToken) =>
        TryDeadLetterAsync(subscription.DeadLetterTopic, pubsub, message, _logger, cancellationToken);

    /// <summary>Publishes <paramref name="message"/> as it arrived to <paramref name="deadLetterTopic"/>; false when there is none or publishing fails.</summary>
    internal static async Task<bool> TryDeadLetterAsync(string? deadLetterTopic, IPubSub pubsub, PubSubMessage message, ILogger logger, CancellationToken cancellationToken)
    {
        if (deadLetterTopic is null)
        {
            return false;
        }

        try
        {
            await pubsub.PublishAsync(message with { Topic = deadLetterTopic }, cancellationToken);
            logger.LogInformation("Sent message from topic {Topic} to dead letter topic {DeadLetterTopic}", message.Topic, deadLetterTopic);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Error sending message to dead letter, origin topic: {Topic} dead letter topic {DeadLetterTopic}", message.Topic, deadLetterTopic);
            return false;
        }
    }

    private static void CopyTraceFields(Dictionary<string, string> metadata, JsonObject cloudEvent)
    {
        if (metadata.TryGetValue(CloudEvents.TraceIdField, out var traceId))
        {
            cloudEvent[CloudEvents.TraceIdField] = traceId;
        }

        if (metadata.TryGetValue(CloudEvents.TraceParentField, out var traceParent))
        {
            cloudEvent[CloudEvents.TraceParentField] = traceParent;
            cloudEvent[CloudEvents.TraceIdField] = traceParent;
        }

        if (metadata.TryGetValue(CloudEvents.TraceStateField, out var traceState))
        {
            cloudEvent[CloudEvents.TraceStateField] = traceState;
        }
    }
}
