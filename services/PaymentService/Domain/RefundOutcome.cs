namespace PaymentService.Domain;

public enum RefundOutcomeKind
{
    Refunded,

    /// <summary>Nothing had been captured; the payment is now voided, so nothing will be.</summary>
    Voided,

    NotRefundable,
}

public sealed record RefundOutcome(RefundOutcomeKind Kind, Payment? Payment);
