using DaprShop.Contracts.Orders;
using NotificationService.Telemetry;

namespace NotificationService.Domain;

public enum DispatchOutcome
{
    Sent,
    Ignored,
    Duplicate,
}

/// <summary>
/// Turns an order event into at most one notification, once per event id while the notification is among its user's
/// newest (<see cref="NotificationLog"/>'s head, 50 to 99 of them).
/// </summary>
public sealed class NotificationDispatcher(
    NotificationLog log,
    INotificationSender sender,
    NotificationMetrics metrics,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger)
{
    /// <summary>
    /// Sends and records the event's notification unless its event id was handled before (and is still in the user's
    /// head). The send may be repeated if the process stops between sending and recording (at-least-once), but it is
    /// recorded once, and the binding writes the same file name for the same event. Throws
    /// <see cref="NotificationSendException"/> when the channel fails, before anything is recorded, so a redelivery
    /// tries again.
    /// </summary>
    public async Task<DispatchOutcome> DispatchAsync(OrderIntegrationEvent orderEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);

        // Most order events notify no one: settle those without a state store round trip.
        var notification = NotificationMessageBuilder.Build(orderEvent, clock.GetUtcNow());
        if (notification is null)
        {
            logger.LogDebug("Event {EventId} ({EventType}) notifies no one", orderEvent.EventId, orderEvent.EventType);
            return DispatchOutcome.Ignored;
        }

        var sent = await log.ReadAsync(notification.UserId, cancellationToken);
        if (sent?.Value.Contains(notification.NotificationId) == true)
        {
            logger.LogInformation("Event {EventId} ({EventType}) already handled; ignoring the redelivery", orderEvent.EventId, orderEvent.EventType);
            return DispatchOutcome.Duplicate;
        }

        await sender.SendAsync(notification, cancellationToken);
        await log.RecordAsync(notification, sent, cancellationToken);
        metrics.Sent(notification, orderEvent.OccurredAt, clock.GetUtcNow());

        logger.LogInformation("Sent {Channel} notification {NotificationId} for order {OrderId} ({EventType})", notification.Channel, notification.NotificationId, notification.OrderId, notification.EventType);
        return DispatchOutcome.Sent;
    }
}
