using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>
/// What the order's reminders do with its payment, decided from its state alone. Each is registered before the work it
/// drives can be half-done, so that whatever process dies in between, the order settles on its own after a restart:
/// <see cref="RetryPayment"/> before a new order is saved, <see cref="PaymentWindow"/> before a deferral is saved,
/// <see cref="CancelOrder"/> before a refund is asked. All are periodic, so a firing that fails is repeated.
/// </summary>
public static class PaymentReminders
{
    /// <summary>
    /// Fires <see cref="PaymentDeadlineOptions.PaymentWindow"/> after the first deferral, then every
    /// <see cref="PaymentRetryOptions.MaxDelay"/> until it succeeds: an order still awaiting payment has its payment
    /// voided (or refunded) and is cancelled.
    /// </summary>
    public const string PaymentWindow = "payment-window";

    /// <summary>
    /// Registered before a new order is saved; fires with exponential backoff while the order awaits payment, and asks
    /// payment again (idempotent by order id: a capture that went through before a crash is returned, not repeated).
    /// </summary>
    public const string RetryPayment = "retry-payment";

    /// <summary>Registered before a cancellation asks for its refund; fires until the cancellation is saved.</summary>
    public const string CancelOrder = "cancel-order";

    public static IReadOnlyList<string> All { get; } = [PaymentWindow, RetryPayment, CancelOrder];

    /// <summary>
    /// After a change from <paramref name="before"/> to <paramref name="after"/>: start the payment window when the
    /// payment is first deferred; stop the payment reminders (<see cref="RunningFor"/>) once the order no longer awaits
    /// payment (confirmed, rejected or cancelled).
    /// </summary>
    public static ReminderChange AfterChange(OrderState? before, OrderState after)
    {
        ArgumentNullException.ThrowIfNull(after);

        if (!IsDeferred(before) && IsDeferred(after))
        {
            return ReminderChange.Start;
        }

        return before is { Status: OrderStatus.AwaitingPayment } && after.Status != OrderStatus.AwaitingPayment
            ? ReminderChange.Stop
            : ReminderChange.None;
    }

    /// <summary>The payment reminders registered for an order in <paramref name="state"/>: retry while it awaits payment, the window once deferred.</summary>
    public static IReadOnlyList<string> RunningFor(OrderState? state) => state switch
    {
        { Status: OrderStatus.AwaitingPayment, PaymentDeferred: true } => [PaymentWindow, RetryPayment],
        { Status: OrderStatus.AwaitingPayment } => [RetryPayment],
        _ => [],
    };

    /// <summary>Whether <paramref name="state"/> awaits a payment that was deferred: its payment window is running.</summary>
    public static bool IsDeferred(OrderState? state) => state is { Status: OrderStatus.AwaitingPayment, PaymentDeferred: true };

    /// <summary>
    /// When <see cref="RetryPayment"/> fires: ask payment again while the order awaits payment (deferred, or placed
    /// but its payment answer never saved: the process died in between).
    /// </summary>
    public static bool ShouldRetryPayment(OrderState? state) => state is { AwaitsPaymentAnswer: true };

    /// <summary>
    /// The delay before retry number <paramref name="attempt"/> (from 1): base × 2^(attempt − 1), at most the max.
    /// </summary>
    public static TimeSpan RetryDelay(int attempt, PaymentRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);

        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var delay = options.BaseDelay.TotalMilliseconds * factor;
        return delay >= options.MaxDelay.TotalMilliseconds ? options.MaxDelay : TimeSpan.FromMilliseconds(delay);
    }
}

public enum ReminderChange
{
    None,
    Start,
    Stop,
}
