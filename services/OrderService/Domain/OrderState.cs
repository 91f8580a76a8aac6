using DaprShop.Contracts.Orders;
using DaprShop.Contracts.Payments;
using OrderService.Domain.Events;

namespace OrderService.Domain;

/// <summary>
/// An order as its events leave it: a pure fold of its log (<see cref="Fold"/>, <see cref="Apply"/>). The commands
/// (<see cref="Place"/>, <see cref="SettlePayment"/>, <see cref="Cancel"/>) check
/// their rules against this state and return the new events; they change nothing themselves.
/// </summary>
public sealed record OrderState
{
    public required string OrderId { get; init; }

    public required string UserId { get; init; }

    public string? UserEmail { get; init; }

    public required IReadOnlyList<OrderLine> Items { get; init; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }

    /// <summary>The payment token, kept so that payment can be asked again.</summary>
    public required string PaymentMethod { get; init; }

    public required decimal Total { get; init; }

    public required OrderStatus Status { get; init; }

    public string? PaymentId { get; init; }

    public bool PaymentCaptured { get; init; }

    public bool PaymentDeclined { get; init; }

    /// <summary>Payment could not be asked and has not answered since: reminders retry it, or expire the order.</summary>
    public bool PaymentDeferred { get; init; }

    public bool PaymentRefunded { get; init; }

    /// <summary>A capture that did not match the order (<see cref="Events.PaymentMismatched"/>): to be refunded, never confirmed.</summary>
    public PaymentMismatched? PaymentMismatch { get; init; }

    /// <summary>Whether the order still waits for payment's answer: awaiting payment, with no capture, decline or mismatch yet.</summary>
    public bool AwaitsPaymentAnswer => Status == OrderStatus.AwaitingPayment && !PaymentCaptured && !PaymentDeclined && PaymentMismatch is null;

    /// <summary>Whether <paramref name="captured"/> is this order's payment: its order id, amount and currency.</summary>
    public bool IsPaidBy(PaymentOutcome.Captured captured)
    {
        ArgumentNullException.ThrowIfNull(captured);
        return string.Equals(captured.OrderId, OrderId, StringComparison.Ordinal)
            && captured.Amount == Total
            && string.Equals(captured.Currency, Currency, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Why the order was rejected or cancelled, or why its payment is deferred.</summary>
    public string? StatusReason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The sequence number of the last event folded in.</summary>
    public required long Version { get; init; }

    public bool IsOwnedBy(string userId) => string.Equals(UserId, userId, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="command"/> asks for this order: the same lines, currency and payment method.</summary>
    public bool IsPlacedBy(PlaceOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return string.Equals(Currency, command.Currency, StringComparison.OrdinalIgnoreCase)
            && string.Equals(PaymentMethod, command.PaymentMethod, StringComparison.Ordinal)
            && Items.SequenceEqual(command.Items);
    }

    public bool CanBecome(OrderStatus status) => OrderStatusRules.CanTransition(Status, status);

    /// <summary>The state the events leave, or null for no events (an order that does not exist, or not yet).</summary>
    public static OrderState? Fold(IEnumerable<RecordedOrderEvent> events) => Fold(null, events);

    /// <summary><paramref name="state"/> with <paramref name="events"/> applied in order.</summary>
    public static OrderState? Fold(OrderState? state, IEnumerable<RecordedOrderEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var recorded in events)
        {
            state = state is null ? Start(recorded) : state.Apply(recorded);
        }

        return state;
    }

    /// <summary>The state after the first event of a log, which must be <see cref="OrderPlaced"/>.</summary>
    public static OrderState Start(RecordedOrderEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);

        if (recorded.Sequence != 1 || recorded.Event is not OrderPlaced placed)
        {
            throw new OrderInvariantException($"An order's log starts with {nameof(OrderPlaced)} at sequence 1, not {recorded.Type} at {recorded.Sequence}.");
        }

        return new OrderState
        {
            OrderId = placed.OrderId,
            UserId = placed.UserId,
            UserEmail = placed.UserEmail,
            Items = placed.Items,
            Currency = placed.Currency,
            PaymentMethod = placed.PaymentMethod,
            Total = placed.Total,
            Status = OrderStatus.AwaitingPayment,
            CreatedAt = recorded.OccurredAt,
            UpdatedAt = recorded.OccurredAt,
            Version = recorded.Sequence,
        };
    }

    /// <summary>This state with one more event; throws when the event breaks the order's rules or its sequence.</summary>
    public OrderState Apply(RecordedOrderEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);

        if (recorded.Sequence != Version + 1)
        {
            throw new OrderInvariantException($"Order {OrderId} is at version {Version}; the next event must be {Version + 1}, not {recorded.Sequence}.");
        }

        var next = recorded.Event switch
        {
            OrderPlaced => throw new OrderInvariantException($"Order {OrderId} is already placed."),
            PaymentCaptured captured => AwaitingPaymentAnswer(nameof(PaymentCaptured)) with
            {
                PaymentId = captured.PaymentId,
                PaymentCaptured = true,
                PaymentDeferred = false,
            },
            PaymentDeclined declined => AwaitingPaymentAnswer(nameof(PaymentDeclined)) with
            {
                PaymentId = declined.PaymentId,
                PaymentDeclined = true,
                PaymentDeferred = false,
            },
            PaymentDeferred deferred => AwaitingPaymentAnswer(nameof(PaymentDeferred)) with
            {
                PaymentDeferred = true,
                StatusReason = deferred.Reason,
            },
            PaymentMismatched mismatched => AwaitingPaymentAnswer(nameof(PaymentMismatched)) with
            {
                PaymentId = mismatched.PaymentId,
                PaymentMismatch = mismatched,

                // PaymentDeferred stays as it was: a deferred order's payment-window reminder is still registered, and
                // is stopped with the others once the order is cancelled.
                StatusReason = mismatched.Describe(this),
            },
            OrderConfirmed => PaymentCaptured
                ? TransitionTo(OrderStatus.Confirmed) with { StatusReason = null }
                : throw new OrderInvariantException($"Order {OrderId} cannot be confirmed without a captured payment."),
            OrderRejected rejected => PaymentDeclined
                ? TransitionTo(OrderStatus.Rejected) with { StatusReason = rejected.Reason }
                : throw new OrderInvariantException($"Order {OrderId} cannot be rejected without a declined payment."),
            OrderCancelled cancelled => (PaymentCaptured || PaymentMismatch is not null) && !PaymentRefunded
                ? throw new OrderInvariantException($"Order {OrderId} has a captured payment; it must be refunded before the order is cancelled.")
                : TransitionTo(OrderStatus.Cancelled) with { StatusReason = cancelled.Reason, PaymentDeferred = false },
            PaymentRefunded refunded => Refund(refunded),
            _ => throw new OrderInvariantException($"Unknown order event {recorded.Type}."),
        };

        return next with { Version = recorded.Sequence, UpdatedAt = recorded.OccurredAt };
    }

    /// <summary>
    /// The event that places a new order awaiting payment, once its lines and currency are checked; the total is the
    /// sum of the lines, computed here and nowhere else.
    /// </summary>
    public static OrderPlaced Place(string orderId, PlaceOrder command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.UserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.PaymentMethod);
        ArgumentNullException.ThrowIfNull(command.Items);

        if (command.Items.Count == 0)
        {
            throw new ArgumentException("An order needs at least one item.", nameof(command));
        }

        foreach (var item in command.Items)
        {
            if (string.IsNullOrWhiteSpace(item.Sku) || item.Quantity < 1 || item.UnitPrice < 0)
            {
                throw new ArgumentException($"Item '{item.Sku}' needs a sku, a quantity of at least 1 and a price that is not negative.", nameof(command));
            }
        }

        if (!Currencies.IsKnown(command.Currency))
        {
            throw new ArgumentException("The currency must be an ISO 4217 code.", nameof(command));
        }

        if (command.Items.FirstOrDefault(item => !Currencies.IsWholeMinorUnits(item.UnitPrice, command.Currency)) is { } fractional)
        {
            throw new ArgumentException($"Item '{fractional.Sku}' has a price of {fractional.UnitPrice}, not a whole number of {command.Currency}'s minor unit.", nameof(command));
        }

        return new OrderPlaced(
            orderId,
            command.UserId,
            command.UserEmail,
            [.. command.Items],
            command.Currency.ToUpperInvariant(),
            command.PaymentMethod,
            TotalOf(command.Items));
    }

    /// <summary>
    /// What payment's answer means for the order: captured → <see cref="Events.PaymentCaptured"/> and
    /// <see cref="OrderConfirmed"/>; declined → <see cref="Events.PaymentDeclined"/> and <see cref="OrderRejected"/>;
    /// unavailable → <see cref="Events.PaymentDeferred"/>, or nothing when the deferral is already recorded; a capture
    /// of another order id, amount or currency → <see cref="Events.PaymentMismatched"/> alone (it is refunded, and the
    /// order cancelled, next). Only an order awaiting payment takes an answer, and never a second capture.
    /// </summary>
    public IReadOnlyList<OrderEvent> SettlePayment(PaymentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        AwaitingPaymentAnswer("a payment answer");

        return outcome switch
        {
            PaymentOutcome.Captured captured when IsPaidBy(captured) => [new PaymentCaptured(captured.PaymentId, Total), new OrderConfirmed(captured.PaymentId)],
            PaymentOutcome.Captured captured => [new PaymentMismatched(captured.PaymentId, captured.OrderId, captured.Amount, captured.Currency.ToUpperInvariant())],
            PaymentOutcome.Declined declined => [new PaymentDeclined(declined.PaymentId, declined.Reason), new OrderRejected(declined.Reason ?? "payment_declined")],
            PaymentOutcome.Unavailable when PaymentDeferred => [],
            PaymentOutcome.Unavailable unavailable => [new PaymentDeferred(unavailable.Reason)],
            _ => throw new ArgumentException($"Unknown payment outcome {outcome}.", nameof(outcome)),
        };
    }

    /// <summary>
    /// Cancels the order once payment has answered the refund: refunded → <see cref="Events.PaymentRefunded"/> and
    /// <see cref="OrderCancelled"/>; nothing to refund → <see cref="OrderCancelled"/>. A cancelled or rejected order
    /// cannot be cancelled, and an order is never cancelled while its refund is unknown.
    /// </summary>
    public IReadOnlyList<OrderEvent> Cancel(string reason, PaymentRefundOutcome refund)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);

        if (!CanBecome(OrderStatus.Cancelled))
        {
            throw new OrderTransitionException(Status, OrderStatus.Cancelled);
        }

        return refund switch
        {
            PaymentRefundOutcome.Refunded => [new PaymentRefunded(PaymentId, PaymentMismatch?.Amount ?? Total), new OrderCancelled(reason)],
            PaymentRefundOutcome.NoPayment or PaymentRefundOutcome.NotRefundable when PaymentCaptured || PaymentMismatch is not null =>
                throw new OrderInvariantException($"Order {OrderId} has a captured payment, but payment-service did not refund it ({refund})."),
            PaymentRefundOutcome.NoPayment or PaymentRefundOutcome.NotRefundable => [new OrderCancelled(reason)],
            _ => throw new OrderInvariantException($"Order {OrderId} cannot be cancelled while its refund is unknown ({refund})."),
        };
    }

    public static decimal TotalOf(IEnumerable<OrderLine> items) => items.Sum(item => item.LineTotal);

    private OrderState AwaitingPaymentAnswer(string what)
    {
        if (Status != OrderStatus.AwaitingPayment)
        {
            throw new OrderInvariantException($"Order {OrderId} is {Status}; only an order awaiting payment takes {what}.");
        }

        if (PaymentCaptured || PaymentDeclined || PaymentMismatch is not null)
        {
            throw new OrderInvariantException($"Order {OrderId} already has its payment answer; a second one is not taken.");
        }

        return this;
    }

    private OrderState TransitionTo(OrderStatus next) =>
        CanBecome(next) ? this with { Status = next } : throw new OrderTransitionException(Status, next);

    private OrderState Refund(PaymentRefunded refunded)
    {
        if (PaymentRefunded)
        {
            throw new OrderInvariantException($"Order {OrderId} was already refunded.");
        }

        if (OrderStatusRules.IsFinal(Status))
        {
            throw new OrderInvariantException($"Order {OrderId} is {Status}; there is nothing to refund.");
        }

        return this with { PaymentRefunded = true, PaymentId = refunded.PaymentId ?? PaymentId };
    }
}
