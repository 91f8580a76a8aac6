using System.Collections.Concurrent;
using NotificationService.Domain;

namespace NotificationService.Tests;

/// <summary>Keeps what would have gone through the binding; can be made to fail.</summary>
public sealed class RecordingSender : INotificationSender
{
    public ConcurrentQueue<Notification> Sent { get; } = new();

    public bool Failing { get; set; }

    public Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            throw new NotificationSendException("binding unavailable");
        }

        Sent.Enqueue(notification);
        return Task.CompletedTask;
    }
}
