using DaprShop.Contracts.Payments;
using PaymentService.Domain;

namespace PaymentService.Apis;

/// <summary>A stored payment as <c>GET /payments/{orderId}</c> shows it.</summary>
public sealed record PaymentDetails(
    string PaymentId,
    string OrderId,
    PaymentStatus Status,
    string? Reason,
    decimal Amount,
    string Currency,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RefundedAt)
{
    public static PaymentDetails From(Payment payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        return new(payment.PaymentId, payment.OrderId, payment.Status, payment.Reason, payment.Amount, payment.Currency, payment.CreatedAt, payment.RefundedAt);
    }
}
