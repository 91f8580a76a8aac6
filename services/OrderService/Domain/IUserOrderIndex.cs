namespace OrderService.Domain;

/// <summary>The ids of each user's orders, which <c>GET /orders</c> lists.</summary>
public interface IUserOrderIndex
{
    /// <summary>Adds <paramref name="orderId"/> to the user's orders; adding it again changes nothing.</summary>
    Task AddAsync(string userId, string orderId, CancellationToken cancellationToken);

    /// <summary>The ids of the user's orders, in the order they were added.</summary>
    Task<IReadOnlyList<string>> GetAsync(string userId, CancellationToken cancellationToken);
}
