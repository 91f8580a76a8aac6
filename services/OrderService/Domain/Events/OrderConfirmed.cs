namespace OrderService.Domain.Events;

/// <summary>The order is confirmed: its payment was captured.</summary>
public sealed record OrderConfirmed(string PaymentId) : OrderEvent;
