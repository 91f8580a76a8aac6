using DaprShop.ServiceDefaults.State;

namespace NotificationService.Domain;

/// <summary>
/// What was sent, in the Dapr state store: per user, <c>notifications-of-{userId}</c>, the newest
/// <see cref="MaxPerUser"/> notifications, changed with its ETag. The list is also the de-duplication record: a
/// notification id is derived from its event id, so a redelivered event finds its notification there. One document
/// per delivery (read, then written once) keeps a delivery at two state calls; a separate per-event marker doubled
/// that, and deliveries are serial per subscriber, so it halved how fast notifications could keep up with orders.
/// </summary>
public sealed class NotificationLog(IAppStateStore state)
{
    /// <summary>How many notifications are kept per user (the newest); an event redelivered after this many newer ones would be sent again.</summary>
    public const int MaxPerUser = 500;

    public static string UserKey(string userId) => $"notifications-of-{userId}";

    /// <summary>The user's stored list with its ETag (null before the first notification), to check and then record against.</summary>
    public Task<AppStateEntry<UserNotifications>?> ReadAsync(string userId, CancellationToken cancellationToken) =>
        state.GetAsync<UserNotifications>(UserKey(userId), cancellationToken);

    /// <summary>
    /// Records <paramref name="notification"/> in its user's list (once, even when called again): written against
    /// <paramref name="read"/>'s ETag, and read again and retried when another writer changed the list meanwhile.
    /// </summary>
    public async Task RecordAsync(Notification notification, AppStateEntry<UserNotifications>? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);

        var key = UserKey(notification.UserId);
        var written = read is null
            ? await state.TryInsertAsync(key, UserNotifications.Empty.With(notification, MaxPerUser), cancellationToken)
            : read.Value.Contains(notification.NotificationId)
              || await state.TryReplaceAsync(key, read.Value.With(notification, MaxPerUser), read.ETag, cancellationToken);
        if (!written)
        {
            await state.UpdateAsync<UserNotifications>(key, current => (current ?? UserNotifications.Empty).With(notification, MaxPerUser), cancellationToken);
        }
    }

    /// <summary>The user's notifications, newest first.</summary>
    public async Task<IReadOnlyList<Notification>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var stored = await state.GetAsync<UserNotifications>(UserKey(userId), cancellationToken);
        return [.. (stored?.Value.Items ?? []).OrderByDescending(n => n.SentAt).ThenByDescending(n => n.NotificationId, StringComparer.Ordinal)];
    }
}

/// <summary>One user's notifications, newest first.</summary>
public sealed record UserNotifications(IReadOnlyList<Notification> Items)
{
    public static UserNotifications Empty { get; } = new([]);

    public bool Contains(string notificationId) => Items.Any(item => item.NotificationId == notificationId);

    /// <summary>This list with <paramref name="notification"/> in front, or the same instance when it is already there.</summary>
    public UserNotifications With(Notification notification, int max)
    {
        ArgumentNullException.ThrowIfNull(notification);

        return Contains(notification.NotificationId)
            ? this
            : new UserNotifications([notification, .. Items.Take(max - 1)]);
    }
}
