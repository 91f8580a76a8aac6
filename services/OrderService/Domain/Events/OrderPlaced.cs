namespace OrderService.Domain.Events;

/// <summary>The order was placed; it awaits payment. The total is the server's sum of the lines.</summary>
public sealed record OrderPlaced(
    string OrderId,
    string UserId,
    string? UserEmail,
    IReadOnlyList<OrderLine> Items,
    string Currency,
    string PaymentMethod,
    decimal Total) : OrderEvent;
