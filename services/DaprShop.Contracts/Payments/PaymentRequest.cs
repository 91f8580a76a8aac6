namespace DaprShop.Contracts.Payments;

/// <summary>
/// order-service → payment-service <c>POST /payments</c>. Idempotent by <see cref="OrderId"/>:
/// a second request for the same order returns the stored result and never charges twice.
/// </summary>
public sealed record PaymentRequest(string OrderId, decimal Amount, string Currency, string PaymentMethod);
