using NotificationService.Domain;

namespace NotificationService.Apis;

public sealed record NotificationResponse(
    string NotificationId,
    string OrderId,
    string EventType,
    string Channel,
    string Subject,
    string Message,
    DateTimeOffset SentAt)
{
    public static NotificationResponse From(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new(notification.NotificationId, notification.OrderId, notification.EventType, notification.Channel, notification.Subject, notification.Message, notification.SentAt);
    }
}
