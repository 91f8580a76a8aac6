namespace DaprShop.Contracts.Orders;

/// <summary>
/// An order changed state. Published by order-service to topic <c>orders</c> on pubsub <c>pubsub</c>;
/// every event carries the order's state after the change, and <see cref="EventType"/> names the
/// concrete event so that one topic serves all of them.
/// </summary>
public abstract record OrderIntegrationEvent
{
    /// <summary>Unique per event; subscribers de-duplicate redeliveries by it.</summary>
    public Guid EventId { get; init; }

    /// <summary>The concrete event's name, one of <see cref="OrderEventTypes"/>.</summary>
    public abstract string EventType { get; }

    public string OrderId { get; init; } = string.Empty;

    public string UserId { get; init; } = string.Empty;

    /// <summary>The owner's email when the gateway supplied it.</summary>
    public string? UserEmail { get; init; }

    public OrderStatus Status { get; init; }

    public decimal Total { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public string Currency { get; init; } = string.Empty;

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>Why the order was rejected or cancelled, when known.</summary>
    public string? Reason { get; init; }
}

/// <summary>The order was placed and awaits payment.</summary>
public sealed record OrderSubmittedIntegrationEvent : OrderIntegrationEvent
{
    public override string EventType => OrderEventTypes.OrderSubmitted;
}

/// <summary>Payment was captured.</summary>
public sealed record OrderConfirmedIntegrationEvent : OrderIntegrationEvent
{
    public override string EventType => OrderEventTypes.OrderConfirmed;
}

/// <summary>Payment was declined.</summary>
public sealed record OrderRejectedIntegrationEvent : OrderIntegrationEvent
{
    public override string EventType => OrderEventTypes.OrderRejected;
}

/// <summary>
/// Payment could not be reached; the order stays <see cref="OrderStatus.AwaitingPayment"/> and is retried.
/// <see cref="OrderIntegrationEvent.Reason"/> says what failed.
/// </summary>
public sealed record OrderPaymentDeferredIntegrationEvent : OrderIntegrationEvent
{
    public override string EventType => OrderEventTypes.OrderPaymentDeferred;
}

/// <summary>
/// The order was cancelled, by its owner or because its payment window expired (see
/// <see cref="OrderIntegrationEvent.Reason"/>); a captured payment was refunded.
/// </summary>
public sealed record OrderCancelledIntegrationEvent : OrderIntegrationEvent
{
    public override string EventType => OrderEventTypes.OrderCancelled;
}
