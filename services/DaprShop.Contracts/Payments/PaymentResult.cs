namespace DaprShop.Contracts.Payments;

/// <summary>
/// payment-service's answer to a capture, a refund or a lookup of one order's payment: what it holds for the order,
/// including the amount and currency it captured, which the order checks against its own before it confirms.
/// </summary>
public sealed record PaymentResult(string PaymentId, string OrderId, PaymentStatus Status, decimal Amount, string? Currency, string? Reason = null);
