using DaprShop.ServiceDefaults.State;

namespace NotificationService.Domain;

/// <summary>
/// What was sent, in the Dapr state store: per user, <c>notifications-of-{userId}</c> (a list changed with its ETag),
/// and per event, <c>notified-event-{eventId}</c> (insert-only marker) to recognise a redelivered event.
/// </summary>
public sealed class NotificationLog(IStateStore state)
{
    /// <summary>How many notifications are kept per user (the newest).</summary>
    public const int MaxPerUser = 500;

    public static string UserKey(string userId) => $"notifications-of-{userId}";

    public static string EventKey(Guid eventId) => $"notified-event-{eventId}";

    public async Task<bool> WasHandledAsync(Guid eventId, CancellationToken cancellationToken) =>
        await state.GetAsync<HandledEvent>(EventKey(eventId), cancellationToken) is not null;

    /// <summary>Records <paramref name="notification"/> for its user (once, even when called again) and marks its event handled.</summary>
    public async Task RecordAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);

        await state.UpdateAsync<UserNotifications>(
            UserKey(notification.UserId),
            current => (current ?? UserNotifications.Empty).With(notification, MaxPerUser),
            cancellationToken);

        // Insert-only; when a concurrent delivery of the same event got there first, its marker is just as good.
        await state.TryInsertAsync(EventKey(notification.EventId), new HandledEvent(notification.EventId, notification.NotificationId, notification.SentAt), cancellationToken);
    }

    /// <summary>The user's notifications, newest first.</summary>
    public async Task<IReadOnlyList<Notification>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var stored = await state.GetAsync<UserNotifications>(UserKey(userId), cancellationToken);
        return [.. (stored?.Value.Items ?? []).OrderByDescending(n => n.SentAt).ThenByDescending(n => n.NotificationId, StringComparer.Ordinal)];
    }
}

public sealed record HandledEvent(Guid EventId, string NotificationId, DateTimeOffset HandledAt);

/// <summary>One user's notifications, newest first.</summary>
public sealed record UserNotifications(IReadOnlyList<Notification> Items)
{
    public static UserNotifications Empty { get; } = new([]);

    /// <summary>This list with <paramref name="notification"/> in front, or the same instance when it is already there.</summary>
    public UserNotifications With(Notification notification, int max)
    {
        ArgumentNullException.ThrowIfNull(notification);

        return Items.Any(item => item.NotificationId == notification.NotificationId)
            ? this
            : new UserNotifications([notification, .. Items.Take(max - 1)]);
    }
}
