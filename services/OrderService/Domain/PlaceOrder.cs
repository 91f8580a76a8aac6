namespace OrderService.Domain;

/// <summary>The command to place an order, already validated at the edge.</summary>
public sealed record PlaceOrder(
    string UserId,
    string? UserEmail,
    string? IdempotencyKey,
    IReadOnlyList<OrderLine> Items,
    string Currency,
    string PaymentMethod)
{
    /// <summary>The order's id: derived from the user and the idempotency key, so a repeated request finds the same order; fresh without a key.</summary>
    public string OrderId() => IdempotencyKey is { } key ? OrderIds.FromIdempotencyKey(UserId, key) : OrderIds.New();
}

/// <summary>
/// The placed order, and whether this request created it (false: an earlier one with the same key did).
/// <see cref="KeyReused"/>: the earlier order with this key has other lines, currency or payment method, so this
/// request was not placed (the order returned is the earlier one, unchanged).
/// </summary>
public sealed record PlacementResult(OrderState Order, bool Created, bool KeyReused = false);
