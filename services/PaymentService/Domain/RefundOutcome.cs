namespace PaymentService.Domain;

public enum RefundOutcomeKind
{
    Refunded,
    NoPayment,
    NotRefundable,
}

public sealed record RefundOutcome(RefundOutcomeKind Kind, Payment? Payment);
