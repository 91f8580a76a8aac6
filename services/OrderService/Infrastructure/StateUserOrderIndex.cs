using DaprShop.ServiceDefaults.State;
using OrderService.Domain;

namespace OrderService.Infrastructure;

/// <summary>
/// Per user, in the state store: <c>orders-of-{userId}</c> holds the newest order ids (at most <see cref="PageSize"/>)
/// and how many full pages of older ones there are, <c>orders-of-{userId}-page-1</c> (the oldest) onwards. Placing an
/// order reads and writes only that head, so what it costs does not grow with the user's history; every
/// <see cref="PageSize"/>th order first writes the head's ids out as the next page (insert-only). The head is changed
/// with its ETag and retried on conflict; the orders one user places at once from this process are added in one write
/// (<see cref="CoalescedUpdates{T}"/>), so that they queue instead of racing each other for the head.
/// </summary>
public sealed class StateUserOrderIndex(IAppStateStore state) : IUserOrderIndex
{
    private readonly CoalescedUpdates<UserOrderIndex> heads = new(state);

    /// <summary>How many ids the head holds before they move to a page of their own (about 4 KB of JSON).</summary>
    public const int PageSize = 100;

    public static string IndexKey(string userId) => $"orders-of-{userId}";

    /// <summary>The key of page <paramref name="page"/> (1 is the oldest). User ids are GUIDs, so no head key ends like this.</summary>
    public static string PageKey(string userId, int page) => $"orders-of-{userId}-page-{page}";

    public async Task AddAsync(string userId, string orderId, CancellationToken cancellationToken) =>
        await heads.UpdateAsync(
            IndexKey(userId),
            async (index, token) =>
            {
                var head = index ?? UserOrderIndex.Empty;
                if (head.Contains(orderId))
                {
                    return index;
                }

                if (head.IsFull(PageSize))
                {
                    // A page found there was written by a retry after a crash before the head moved on (the same ids),
                    // or by a batch whose head lost to another replica: that batch filled the head with ids of its own,
                    // so the ids it never saw stay in the head, and nothing is lost either way.
                    var key = PageKey(userId, head.Pages + 1);
                    var page = new UserOrderPage(head.OrderIds);
                    if (!await state.TryInsertAsync(key, page, token)
                        && await state.GetAsync<UserOrderPage>(key, token) is { } stored
                        && !stored.Value.SameAs(page))
                    {
                        return head.AfterPage(stored.Value, orderId);
                    }
                }

                return head.With(orderId, PageSize);
            },
            cancellationToken);

    public async Task<IReadOnlyList<string>> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if ((await state.GetAsync<UserOrderIndex>(IndexKey(userId), cancellationToken))?.Value is not { } head)
        {
            return [];
        }

        var pages = head.Pages == 0
            ? []
            : await state.GetManyAsync<UserOrderPage>([.. Enumerable.Range(1, head.Pages).Select(page => PageKey(userId, page))], cancellationToken);

        // An id placed again after its page was written out (a retry after a crash, a hundred orders later) is listed once.
        return [.. pages.SelectMany(page => page.OrderIds).Concat(head.OrderIds).Distinct(StringComparer.Ordinal)];
    }
}

/// <summary>The head of one user's order ids: the newest, in the order they were placed, and how many pages hold older ones.</summary>
public sealed record UserOrderIndex(IReadOnlyList<string> OrderIds, int Pages = 0)
{
    public static UserOrderIndex Empty { get; } = new([]);

    public bool Contains(string orderId) => OrderIds.Contains(orderId, StringComparer.Ordinal);

    /// <summary>Whether the next id starts a new head (an index written before there were pages may hold more).</summary>
    public bool IsFull(int pageSize) => OrderIds.Count >= pageSize;

    /// <summary>
    /// This head with <paramref name="orderId"/> added, or the same instance when it is already there; when full, a new
    /// head holding only <paramref name="orderId"/>, its ids counted as one more page (written out first by the caller).
    /// </summary>
    public UserOrderIndex With(string orderId, int pageSize) =>
        Contains(orderId) ? this
        : IsFull(pageSize) ? new UserOrderIndex([orderId], Pages + 1)
        : this with { OrderIds = [.. OrderIds, orderId] };

    /// <summary>
    /// The next head after <paramref name="page"/> was written from other ids: the ids it lacks, then
    /// <paramref name="orderId"/>.
    /// </summary>
    public UserOrderIndex AfterPage(UserOrderPage page, string orderId)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new UserOrderIndex([.. OrderIds.Except(page.OrderIds, StringComparer.Ordinal), orderId], Pages + 1);
    }
}

/// <summary>A full page of one user's older order ids, in the order they were placed.</summary>
public sealed record UserOrderPage(IReadOnlyList<string> OrderIds)
{
    /// <summary>Whether <paramref name="other"/> holds the same ids in the same order.</summary>
    public bool SameAs(UserOrderPage other) => OrderIds.SequenceEqual(other?.OrderIds ?? [], StringComparer.Ordinal);
}
