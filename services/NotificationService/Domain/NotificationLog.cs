using Dapr;
using DaprShop.ServiceDefaults.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace NotificationService.Domain;

/// <summary>
/// What was sent, in the Dapr state store, per user: the head <c>notifications-of-{userId}</c> holds the newest
/// notifications and how many pages hold older ones, <c>notifications-of-{userId}-page-1</c> (the oldest) onwards.
/// A delivery reads the head, and writes it once with its ETag: two state calls, whose cost does not grow with the
/// user's history (deliveries for one user that overlap share one write). When the head would reach twice
/// <see cref="PageSize"/>, its oldest notifications are first written out as the next page and the head keeps the
/// newest <see cref="PageSize"/>: one more write every <see cref="PageSize"/> deliveries, and a read and a delete once
/// there are more pages than the listing reaches.
/// <para>
/// The head is also the de-duplication record: a notification id is derived from its event id, so an event redelivered
/// while its notification is among the user's newest <see cref="PageSize"/> to 2 × <see cref="PageSize"/> − 1 is found
/// there. Only the pages the listing can reach are kept (<see cref="PagesKept"/>); the one that falls out of it is
/// deleted (best effort: a page left by a failed delete, or by a crash just before it, stays unread).
/// </para>
/// </summary>
public sealed class NotificationLog(IAppStateStore state, ILogger<NotificationLog>? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger<NotificationLog>.Instance;
    private readonly CoalescedUpdates<UserNotifications> heads = new(state);

    /// <summary>How many notifications the head keeps when it rolls over, and so the smallest de-duplication window.</summary>
    public const int PageSize = 50;

    /// <summary>How many notifications <see cref="ListAsync"/> answers at most (the newest).</summary>
    public const int MaxListed = 500;

    /// <summary>How many pages are kept: with at least <see cref="PageSize"/> in the head, enough to list <see cref="MaxListed"/>.</summary>
    public const int PagesKept = MaxListed / PageSize;

    public static string UserKey(string userId) => $"notifications-of-{userId}";

    /// <summary>The key of page <paramref name="page"/> (1 is the oldest). User ids are GUIDs, so no head key ends like this.</summary>
    public static string PageKey(string userId, int page) => $"notifications-of-{userId}-page-{page}";

    /// <summary>The user's head with its ETag (null before the first notification), to check and then record against.</summary>
    public Task<AppStateEntry<UserNotifications>?> ReadAsync(string userId, CancellationToken cancellationToken) =>
        state.GetAsync<UserNotifications>(UserKey(userId), cancellationToken);

    /// <summary>
    /// Records <paramref name="notification"/> in its user's head (once, even when called again): written against
    /// <paramref name="read"/>'s ETag, and read again and retried when another writer changed the head meanwhile. The
    /// notifications of one user recorded at once in this process are written together (<see cref="CoalescedUpdates{T}"/>).
    /// </summary>
    public async Task RecordAsync(Notification notification, AppStateEntry<UserNotifications>? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);

        if (read?.Value.Contains(notification.NotificationId) == true)
        {
            return;
        }

        // A batch may roll the head over at any of its changes: the change that did so (in the run that was written)
        // deletes the page falling out of the listing.
        int? pageWritten = null;
        var update = await heads.UpdateAsync(
            UserKey(notification.UserId),
            async (current, token) =>
            {
                (var head, pageWritten) = await WithAsync(current, notification, token);
                return head;
            },
            cancellationToken,
            new StateRead<UserNotifications>(read));
        if (update.Changed && pageWritten > PagesKept)
        {
            await DeletePageAsync(notification.UserId, pageWritten.Value - PagesKept, cancellationToken);
        }
    }

    /// <summary>The user's newest notifications (at most <see cref="MaxListed"/>), newest first.</summary>
    public async Task<IReadOnlyList<Notification>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        if ((await state.GetAsync<UserNotifications>(UserKey(userId), cancellationToken))?.Value is not { } head)
        {
            return [];
        }

        var newestPages = Enumerable.Range(1, head.Pages).TakeLast(PagesKept).Select(page => PageKey(userId, page)).ToList();
        var pages = newestPages.Count == 0 ? [] : await state.GetManyAsync<NotificationPage>(newestPages, cancellationToken);

        // An event redelivered after its notification moved to a page is sent and recorded again: listed once.
        return
        [
            .. head.Items.Concat(pages.SelectMany(page => page.Items))
                .OrderByDescending(n => n.SentAt)
                .ThenByDescending(n => n.NotificationId, StringComparer.Ordinal)
                .DistinctBy(n => n.NotificationId, StringComparer.Ordinal)
                .Take(MaxListed),
        ];
    }

    /// <summary>
    /// <paramref name="head"/> with <paramref name="notification"/> (the same instance when it is there already), and the
    /// number of the page written first when it rolls over. Only one head ever has this many pages and rolls over, so
    /// every writer (and a retry after a crash before the head moved on) writes the page with the same notifications.
    /// </summary>
    private async Task<(UserNotifications Head, int? PageWritten)> WithAsync(UserNotifications? head, Notification notification, CancellationToken cancellationToken)
    {
        head ??= UserNotifications.Empty;
        if (head.Contains(notification.NotificationId) || !head.RollsOver(PageSize))
        {
            return (head.With(notification, PageSize, head.Pages), null);
        }

        var page = await WritePageAsync(notification.UserId, head.Pages + 1, head.PageOut(PageSize), cancellationToken);
        return (head.With(notification, PageSize, page), page);
    }

    /// <summary>
    /// Writes <paramref name="page"/> as number <paramref name="number"/>, or the next free number after it: a page that
    /// is there with the same notifications is this one, written before; one with others was written by a version that
    /// kept no page count in the head (whose writers dropped it during a rolling update), and stays, listed, as it is.
    /// </summary>
    private async Task<int> WritePageAsync(string userId, int number, NotificationPage page, CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = PageKey(userId, number);
            if (await state.TryInsertAsync(key, page, cancellationToken))
            {
                return number;
            }

            switch (await state.GetAsync<NotificationPage>(key, cancellationToken))
            {
                case null:
                    continue; // deleted in between: the number is free again
                case { } stored when stored.Value.SameAs(page):
                    return number;
                default:
                    number++;
                    break;
            }
        }
    }

    /// <summary>Deletes a page the listing no longer reaches; it was written once, so its ETag is the one just read.</summary>
    private async Task DeletePageAsync(string userId, int page, CancellationToken cancellationToken)
    {
        var key = PageKey(userId, page);
        try
        {
            if (await state.GetAsync<NotificationPage>(key, cancellationToken) is { } stored)
            {
                await state.TryDeleteAsync(key, stored.ETag, cancellationToken);
            }
        }
        catch (DaprException exception)
        {
            // The notification is recorded; a failed clean-up must not make the delivery fail and be redelivered.
            logger.LogWarning(exception, "Could not delete notification page {Key}; it stays, unread", key);
        }
    }
}

/// <summary>The head of one user's notifications: the newest, newest first, and how many pages hold older ones.</summary>
public sealed record UserNotifications(IReadOnlyList<Notification> Items, int Pages = 0)
{
    public static UserNotifications Empty { get; } = new([]);

    public bool Contains(string notificationId) => Items.Any(item => item.NotificationId == notificationId);

    /// <summary>Whether the next notification fills the head to twice <paramref name="pageSize"/> (a head written before pages may hold more).</summary>
    public bool RollsOver(int pageSize) => Items.Count + 1 >= 2 * pageSize;

    /// <summary>The page a rollover writes: every notification but the newest <paramref name="pageSize"/> − 1, which stay with the next one.</summary>
    public NotificationPage PageOut(int pageSize) => new([.. Items.Skip(pageSize - 1)]);

    /// <summary>
    /// This head with <paramref name="notification"/> in front, or the same instance when it is already there; on a
    /// rollover only the newest <paramref name="pageSize"/>, the page (<see cref="PageOut"/>) written as number
    /// <paramref name="pages"/>.
    /// </summary>
    public UserNotifications With(Notification notification, int pageSize, int pages)
    {
        ArgumentNullException.ThrowIfNull(notification);

        return Contains(notification.NotificationId) ? this
            : RollsOver(pageSize) ? new UserNotifications([notification, .. Items.Take(pageSize - 1)], pages)
            : this with { Items = [notification, .. Items] };
    }
}

/// <summary>A page of one user's older notifications, newest first; written once.</summary>
public sealed record NotificationPage(IReadOnlyList<Notification> Items)
{
    /// <summary>Whether <paramref name="other"/> holds the same notifications (by id, in the same order).</summary>
    public bool SameAs(NotificationPage other) =>
        Items.Select(n => n.NotificationId).SequenceEqual(other.Items.Select(n => n.NotificationId), StringComparer.Ordinal);
}
