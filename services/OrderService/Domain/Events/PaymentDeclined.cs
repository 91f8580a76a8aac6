namespace OrderService.Domain.Events;

/// <summary>payment-service declined the payment method.</summary>
public sealed record PaymentDeclined(string PaymentId, string? Reason) : OrderEvent;
