using System.Globalization;
using DaprShop.Contracts.Orders;

namespace NotificationService.Domain;

/// <summary>What the customer is told about an order event, if anything.</summary>
public static class NotificationMessageBuilder
{
    /// <summary>The email for <paramref name="orderEvent"/>, or null for events that notify no one (<c>OrderSubmitted</c>).</summary>
    public static Notification? Build(OrderIntegrationEvent orderEvent, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);

        var amount = $"{orderEvent.Total.ToString("0.00", CultureInfo.InvariantCulture)} {orderEvent.Currency}";
        (string Subject, string Message)? content = orderEvent switch
        {
            OrderConfirmedIntegrationEvent => (
                $"Order {orderEvent.OrderId} confirmed",
                $"Thank you! We received your payment of {amount}; order {orderEvent.OrderId} is confirmed."),
            OrderRejectedIntegrationEvent => (
                $"Order {orderEvent.OrderId} rejected",
                $"Your payment of {amount} was declined{Because(orderEvent.Reason)}, so order {orderEvent.OrderId} was not placed."),
            OrderCancelledIntegrationEvent => (
                $"Order {orderEvent.OrderId} cancelled",
                $"Order {orderEvent.OrderId} is cancelled; any payment of {amount} has been refunded."),
            _ => null,
        };

        if (content is not { } email)
        {
            return null;
        }

        return new Notification
        {
            NotificationId = Notification.IdFor(orderEvent.EventId, Notification.EmailChannel),
            EventId = orderEvent.EventId,
            UserId = orderEvent.UserId,
            OrderId = orderEvent.OrderId,
            EventType = orderEvent.EventType,
            Channel = Notification.EmailChannel,
            Recipient = string.IsNullOrWhiteSpace(orderEvent.UserEmail) ? orderEvent.UserId : orderEvent.UserEmail,
            Subject = email.Subject,
            Message = email.Message,
            SentAt = sentAt,
        };
    }

    private static string Because(string? reason) => string.IsNullOrWhiteSpace(reason) ? string.Empty : $" ({reason})";
}
