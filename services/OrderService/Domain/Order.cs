using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>
/// The order aggregate. Immutable: each command returns the order as it is after the change, and the status
/// changes follow <see cref="OrderStatusRules"/>. Storage is behind <see cref="IOrderRepository"/>.
/// </summary>
public sealed record Order
{
    public required string OrderId { get; init; }

    public required string UserId { get; init; }

    public string? UserEmail { get; init; }

    public required IReadOnlyList<OrderLine> Items { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }

    /// <summary>The payment token, kept so that payment can be retried.</summary>
    public required string PaymentMethod { get; init; }

    public required decimal Total { get; init; }

    public required OrderStatus Status { get; init; }

    public string? PaymentId { get; init; }

    /// <summary>Why the order was rejected or cancelled.</summary>
    public string? StatusReason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>A new order awaiting payment; the total is the sum of the lines, computed here and nowhere else.</summary>
    public static Order Place(
        string orderId,
        string userId,
        string? userEmail,
        IReadOnlyList<OrderLine> items,
        string currency,
        string paymentMethod,
        DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(paymentMethod);
        ArgumentNullException.ThrowIfNull(items);

        if (items.Count == 0)
        {
            throw new ArgumentException("An order needs at least one item.", nameof(items));
        }

        foreach (var item in items)
        {
            if (string.IsNullOrWhiteSpace(item.Sku) || item.Quantity < 1 || item.UnitPrice < 0)
            {
                throw new ArgumentException($"Item '{item.Sku}' needs a sku, a quantity of at least 1 and a price that is not negative.", nameof(items));
            }
        }

        if (!IsCurrencyCode(currency))
        {
            throw new ArgumentException("The currency must be a three-letter code.", nameof(currency));
        }

        return new Order
        {
            OrderId = orderId,
            UserId = userId,
            UserEmail = userEmail,
            Items = items,
            Currency = currency.ToUpperInvariant(),
            PaymentMethod = paymentMethod,
            Total = TotalOf(items),
            Status = OrderStatus.AwaitingPayment,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public static decimal TotalOf(IEnumerable<OrderLine> items) => items.Sum(item => item.LineTotal);

    public static bool IsCurrencyCode(string? currency) => currency is { Length: 3 } && currency.All(char.IsAsciiLetter);

    public bool IsOwnedBy(string userId) => string.Equals(UserId, userId, StringComparison.Ordinal);

    public bool CanBecome(OrderStatus status) => OrderStatusRules.CanTransition(Status, status);

    /// <summary>Payment captured.</summary>
    public Order Confirm(string paymentId, DateTimeOffset now) => TransitionTo(OrderStatus.Confirmed, now) with { PaymentId = paymentId };

    /// <summary>Payment declined.</summary>
    public Order Reject(string paymentId, string? reason, DateTimeOffset now) =>
        TransitionTo(OrderStatus.Rejected, now) with { PaymentId = paymentId, StatusReason = reason ?? "payment_declined" };

    /// <summary>Cancelled by its owner; the caller refunds a captured payment first.</summary>
    public Order Cancel(DateTimeOffset now) => TransitionTo(OrderStatus.Cancelled, now) with { StatusReason = "cancelled_by_customer" };

    private Order TransitionTo(OrderStatus next, DateTimeOffset now)
    {
        if (!CanBecome(next))
        {
            throw new OrderTransitionException(Status, next);
        }

        return this with { Status = next, UpdatedAt = now };
    }
}
