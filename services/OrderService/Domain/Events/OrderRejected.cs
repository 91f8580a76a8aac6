namespace OrderService.Domain.Events;

/// <summary>The order is rejected: its payment was declined.</summary>
public sealed record OrderRejected(string Reason) : OrderEvent;
