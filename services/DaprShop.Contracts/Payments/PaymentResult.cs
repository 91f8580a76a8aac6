namespace DaprShop.Contracts.Payments;

/// <summary>payment-service's answer to a capture, a refund or a lookup of one order's payment.</summary>
public sealed record PaymentResult(string PaymentId, string OrderId, PaymentStatus Status, string? Reason = null);
