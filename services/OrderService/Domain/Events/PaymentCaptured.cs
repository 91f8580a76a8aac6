namespace OrderService.Domain.Events;

/// <summary>payment-service captured the order's total.</summary>
public sealed record PaymentCaptured(string PaymentId, decimal Amount) : OrderEvent;
