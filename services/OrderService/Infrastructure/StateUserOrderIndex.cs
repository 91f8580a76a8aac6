using DaprShop.ServiceDefaults.State;
using OrderService.Domain;

namespace OrderService.Infrastructure;

/// <summary>Per user, <c>orders-of-{userId}</c>: a list of order ids in the state store, changed with its ETag and retried on conflict.</summary>
public sealed class StateUserOrderIndex(IAppStateStore state) : IUserOrderIndex
{
    public static string IndexKey(string userId) => $"orders-of-{userId}";

    public Task AddAsync(string userId, string orderId, CancellationToken cancellationToken) =>
        state.UpdateAsync<UserOrderIndex>(IndexKey(userId), index => (index ?? UserOrderIndex.Empty).With(orderId), cancellationToken);

    public async Task<IReadOnlyList<string>> GetAsync(string userId, CancellationToken cancellationToken) =>
        (await state.GetAsync<UserOrderIndex>(IndexKey(userId), cancellationToken))?.Value.OrderIds ?? [];
}

/// <summary>The ids of one user's orders, in the order they were placed.</summary>
public sealed record UserOrderIndex(IReadOnlyList<string> OrderIds)
{
    public static UserOrderIndex Empty { get; } = new([]);

    /// <summary>This index with <paramref name="orderId"/> added, or the same instance when it is already there.</summary>
    public UserOrderIndex With(string orderId) => OrderIds.Contains(orderId, StringComparer.Ordinal) ? this : new UserOrderIndex([.. OrderIds, orderId]);
}
