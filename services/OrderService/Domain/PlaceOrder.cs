namespace OrderService.Domain;

/// <summary>The command to place an order, already validated at the edge.</summary>
public sealed record PlaceOrder(
    string UserId,
    string? UserEmail,
    string? IdempotencyKey,
    IReadOnlyList<OrderLine> Items,
    string Currency,
    string PaymentMethod);

/// <summary>The placed order, and whether this request created it (false: an earlier one with the same key did).</summary>
public sealed record PlacementResult(Order Order, bool Created);
