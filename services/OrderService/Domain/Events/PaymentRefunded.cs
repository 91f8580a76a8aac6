namespace OrderService.Domain.Events;

/// <summary>
/// payment-service refunded the order's captured payment. <see cref="PaymentId"/> is null when the capture went
/// through without the order hearing of it (its answer was lost), and the refund was what found it.
/// </summary>
public sealed record PaymentRefunded(string? PaymentId, decimal Amount) : OrderEvent;
