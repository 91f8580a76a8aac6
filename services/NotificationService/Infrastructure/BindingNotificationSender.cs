using Dapr;
using Dapr.Client;
using DaprShop.Contracts;
using NotificationService.Domain;

namespace NotificationService.Infrastructure;

/// <summary>Sends through the Dapr output binding <c>notifications</c> (local files in development).</summary>
public sealed class BindingNotificationSender(DaprClient dapr) : INotificationSender
{
    public const string Operation = "create";

    public static string FileName(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return $"{notification.NotificationId}.json";
    }

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);

        var metadata = new Dictionary<string, string> { ["fileName"] = FileName(notification) };
        try
        {
            await dapr.InvokeBindingAsync(DaprComponents.Notifications, Operation, EmailMessage.From(notification), metadata, cancellationToken);
        }
        catch (DaprException exception)
        {
            throw new NotificationSendException($"Binding '{DaprComponents.Notifications}' failed to send notification {notification.NotificationId}.", exception);
        }
    }
}

/// <summary>The message written to the binding.</summary>
public sealed record EmailMessage(string NotificationId, string To, string Subject, string Body, string OrderId, string EventType, Guid EventId, DateTimeOffset SentAt)
{
    public static EmailMessage From(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new(notification.NotificationId, notification.Recipient, notification.Subject, notification.Message, notification.OrderId, notification.EventType, notification.EventId, notification.SentAt);
    }
}
