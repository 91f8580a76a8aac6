using DaprShop.Contracts.Payments;

namespace PaymentService.Domain;

/// <summary>The one payment of an order: captured or declined when it is created, possibly refunded later.</summary>
public sealed record Payment
{
    public const string DeclinedPaymentMethod = "tok_decline";

    public const string CardDeclinedReason = "card_declined";

    public const string VoidedReason = "refund_before_capture";

    /// <summary>ISO 4217's code for "no currency": a voided payment moved no money.</summary>
    public const string NoCurrency = "XXX";

    public required string PaymentId { get; init; }

    public required string OrderId { get; init; }

    public required decimal Amount { get; init; }

    public required string Currency { get; init; }

    public required PaymentStatus Status { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RefundedAt { get; init; }

    /// <summary>Charges the payment method: <c>tok_decline</c> is declined, every other token is captured.</summary>
    public static Payment Charge(PaymentRequest request, string paymentId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);

        var declined = string.Equals(request.PaymentMethod, DeclinedPaymentMethod, StringComparison.OrdinalIgnoreCase);
        return new Payment
        {
            PaymentId = paymentId,
            OrderId = request.OrderId,
            Amount = request.Amount,
            Currency = request.Currency.ToUpperInvariant(),
            Status = declined ? PaymentStatus.Declined : PaymentStatus.Captured,
            Reason = declined ? CardDeclinedReason : null,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// The payment of an order that asked for a refund before anything was captured: it holds the order id so that a
    /// late capture (one that timed out on the order's side and is still under way, or a retry) charges nothing.
    /// </summary>
    public static Payment Void(string orderId, string paymentId, DateTimeOffset now) => new()
    {
        PaymentId = paymentId,
        OrderId = orderId,
        Amount = 0m,
        Currency = NoCurrency,
        Status = PaymentStatus.Voided,
        Reason = VoidedReason,
        CreatedAt = now,
        RefundedAt = now,
    };

    public bool CanRefund => Status is PaymentStatus.Captured or PaymentStatus.Refunded;

    /// <summary>Refunds a captured payment; a refunded one stays as it is (the same instance), so a refund is idempotent.</summary>
    public Payment Refund(DateTimeOffset now)
    {
        return Status switch
        {
            PaymentStatus.Captured => this with { Status = PaymentStatus.Refunded, RefundedAt = now },
            PaymentStatus.Refunded => this,
            _ => throw new InvalidOperationException($"Payment {PaymentId} was {Status} and cannot be refunded."),
        };
    }

    public PaymentResult ToResult() => new(PaymentId, OrderId, Status, Amount, Currency, Reason);
}
