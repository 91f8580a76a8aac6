using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>What the order's reminders do with its payment, decided from its state alone.</summary>
public static class PaymentReminders
{
    /// <summary>Fires once, <see cref="PaymentDeadlineOptions.PaymentWindow"/> after the first deferral: an order still awaiting payment is cancelled.</summary>
    public const string PaymentWindow = "payment-window";

    /// <summary>Fires with exponential backoff while the payment is deferred, and asks payment again.</summary>
    public const string RetryPayment = "retry-payment";

    public static IReadOnlyList<string> All { get; } = [PaymentWindow, RetryPayment];

    /// <summary>
    /// After a change from <paramref name="before"/> to <paramref name="after"/>: start the reminders when the payment
    /// is first deferred, stop them when a deferred order is settled (confirmed, rejected or cancelled).
    /// </summary>
    public static ReminderChange AfterChange(OrderState? before, OrderState after)
    {
        ArgumentNullException.ThrowIfNull(after);

        var wasDeferred = IsDeferred(before);
        var isDeferred = IsDeferred(after);
        return (wasDeferred, isDeferred) switch
        {
            (false, true) => ReminderChange.Start,
            (true, false) => ReminderChange.Stop,
            _ => ReminderChange.None,
        };
    }

    /// <summary>Whether the reminders should be running for <paramref name="state"/>.</summary>
    public static bool IsDeferred(OrderState? state) => state is { Status: OrderStatus.AwaitingPayment, PaymentDeferred: true };

    /// <summary>
    /// When <see cref="RetryPayment"/> fires: ask payment again while the order awaits payment (deferred, or placed
    /// but its deferral not saved: the reminders are registered before the deferral is).
    /// </summary>
    public static bool ShouldRetryPayment(OrderState? state) => state is { Status: OrderStatus.AwaitingPayment };

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
