namespace OrderService.Domain.Events;

/// <summary>
/// payment-service could not be asked (down, timed out, answered 5xx, or the circuit breaker is open):
/// the order keeps awaiting payment, and a reminder asks again later.
/// </summary>
public sealed record PaymentDeferred(string Reason) : OrderEvent;
