namespace NotificationService.Domain;

/// <summary>Delivers a notification on its channel; throws when it could not.</summary>
public interface INotificationSender
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}
