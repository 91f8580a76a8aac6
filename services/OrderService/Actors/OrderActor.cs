using System.Diagnostics;
using System.Text.Json;
using Dapr;
using Dapr.Actors.Runtime;
using DaprShop.Contracts.Orders;
using DaprShop.ServiceDefaults.State;
using Microsoft.Extensions.Options;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.IntegrationEvents;
using OrderService.Telemetry;

namespace OrderService.Actors;

/// <summary>
/// The order's actor. Its state is the order's event log (<see cref="IOrderLogStore"/>), loaded when it activates and
/// kept folded while it is active; every change appends events and saves the log with its integration event in one
/// state transaction. Payment is asked from inside the actor's turn; a deferred payment is retried, and finally
/// expired, by reminders (<see cref="PaymentReminders"/>). Every reminder is registered before the work it drives can be
/// half-done, so that an order whose process died mid-way settles on its own after a restart.
/// </summary>
[Actor(TypeName = TypeName)]
public sealed class OrderActor(
    ActorHost host,
    IOrderLogStore logs,
    IUserOrderIndex userOrders,
    IPaymentGateway payments,
    IOptions<PaymentDeadlineOptions> deadlines,
    OrderMetrics metrics,
    TimeProvider clock,
    ILogger<OrderActor> logger) : Actor(host), IOrderActor, IRemindable
{
    public const string TypeName = "OrderActor";

    private bool loaded;
    private OrderLog? log;
    private OrderState? order;

    /// <summary>The ETag of <see cref="log"/> as stored; null after a save, until it is read again before the next one.</summary>
    private string? etag;

    private string OrderId => Id.GetId();

    public async Task<PlacementResult> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await LoadAsync(cancellationToken);

        if (order is { } existing)
        {
            if (!existing.IsOwnedBy(command.UserId))
            {
                throw new InvalidOperationException($"Order {OrderId} belongs to another user.");
            }

            if (!existing.IsPlacedBy(command))
            {
                logger.LogInformation("Order {OrderId}: idempotency key reused for a different order; nothing placed", OrderId);
                return new PlacementResult(existing, Created: false, KeyReused: true);
            }

            logger.LogInformation("Order {OrderId} already placed with this idempotency key; status {Status}", OrderId, existing.Status);
            return new PlacementResult(await RetryAwaitingPaymentAsync(cancellationToken), Created: false);
        }

        var placed = OrderState.Place(OrderId, command);

        // The retry reminder before anything is saved: if this process dies between saving the order and saving
        // payment's answer (or before payment was even asked), the reminder asks payment again; a reminder that finds
        // no order removes itself. Then the index: an order whose log was never saved is skipped when listing, while
        // the other way round a crash between the two writes would lose a placed order from its owner's list.
        await RegisterRetryAsync(attempt: 1);
        await userOrders.AddAsync(command.UserId, OrderId, cancellationToken);
        await ChangeAsync([placed], cancellationToken);
        logger.LogInformation("Order {OrderId} placed by {UserId}: {Total} {Currency}", OrderId, placed.UserId, placed.Total, placed.Currency);

        return new PlacementResult(await SettlePaymentAsync(cancellationToken), Created: true);
    }

    public async Task<CancellationOutcome> CancelAsync(CancelOrder command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await LoadAsync(cancellationToken);

        if (order is not { } current)
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotFound);
        }

        if (!current.IsOwnedBy(command.UserId))
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotOwner, current, "Only the order's owner can cancel it.");
        }

        if (!current.CanBecome(OrderStatus.Cancelled))
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotCancellable, current, OrderStatusRules.Explain(current.Status, OrderStatus.Cancelled));
        }

        // The intent first: if this process dies after payment refunded but before the cancellation is saved, the
        // reminder finishes it. AwaitingPayment too: a capture may have gone through without the order hearing of it;
        // with none, payment voids the order's payment so that no late capture can charge a cancelled order.
        await RegisterCancelAsync(current, OrderCancelled.ByCustomer);
        if (await TryCancelAsync(current, OrderCancelled.ByCustomer, cancellationToken) is not { } cancelled)
        {
            return new CancellationOutcome(
                CancellationOutcomeKind.Pending,
                current,
                "Payment could not answer the refund right now; the order will be cancelled, and any payment refunded, as soon as it does.");
        }

        return new CancellationOutcome(CancellationOutcomeKind.Cancelled, cancelled);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        await LoadAsync(CancellationToken.None);

        switch (reminderName)
        {
            case PaymentReminders.PaymentWindow:
                await ExpirePaymentWindowAsync();
                break;

            case PaymentReminders.RetryPayment:
                await RetryPaymentAsync(RetryAttempt.Read(state));
                break;

            case PaymentReminders.CancelOrder:
                await CompleteCancellationAsync(CancelIntent.Read(state));
                break;

            default:
                logger.LogWarning("Order {OrderId} ignores unknown reminder {ReminderName}", OrderId, reminderName);
                break;
        }
    }

    protected override Task OnActivateAsync() => LoadAsync(CancellationToken.None);

    private async Task ExpirePaymentWindowAsync()
    {
        if (order is not { Status: OrderStatus.AwaitingPayment } current)
        {
            logger.LogDebug("Payment window of order {OrderId} closed; the order is {Status}, nothing to do", OrderId, order?.Status);
            await ForgetReminderAsync(PaymentReminders.PaymentWindow);
            return;
        }

        // The intent first, as for a customer's cancellation: the refund asked here may still land after this process
        // died, even after a capture that was under way confirmed the order; the cancel-order reminder then cancels it
        // and keeps the refund, instead of leaving a confirmed order whose money went back.
        var reason = ReasonFor(current, OrderCancelled.PaymentWindowExpired);
        await RegisterCancelAsync(current, reason);
        if (await TryCancelAsync(current, reason, CancellationToken.None) is null)
        {
            return;
        }

        logger.LogInformation("Order {OrderId} cancelled: payment window of {PaymentWindow} expired", OrderId, deadlines.Value.PaymentWindow);
    }

    /// <summary>A cancellation that was asked but not saved (payment did not answer, or the process died): finish it.</summary>
    private async Task CompleteCancellationAsync(string? intendedReason)
    {
        if (order is not { } current || !current.CanBecome(OrderStatus.Cancelled))
        {
            logger.LogDebug("Order {OrderId} is {Status}; no cancellation to complete", OrderId, order?.Status);
            await ForgetReminderAsync(PaymentReminders.CancelOrder);
            return;
        }

        // A reminder without a reason this version knows was registered before reasons were written, by a customer's
        // cancellation or a mismatch (which the saved mismatch tells apart).
        var reason = ReasonFor(current, intendedReason ?? OrderCancelled.ByCustomer);
        if (await TryCancelAsync(current, reason, CancellationToken.None) is not null)
        {
            logger.LogInformation("Order {OrderId} cancelled: the cancellation ({Reason}) completed", OrderId, reason);
        }
    }

    /// <summary>
    /// Asks payment to refund (or void) the order's payment, then saves the cancellation and drops the cancel-order
    /// reminder; null, with the order unchanged and the reminder kept, while payment cannot answer.
    /// </summary>
    private async Task<OrderState?> TryCancelAsync(OrderState current, string reason, CancellationToken cancellationToken)
    {
        var refund = await payments.RefundAsync(OrderId, cancellationToken);
        if (refund == PaymentRefundOutcome.Unavailable)
        {
            logger.LogWarning("Order {OrderId} not cancelled yet: payment unavailable for the refund; the cancel-order reminder tries again", OrderId);
            return null;
        }

        var cancelled = await ChangeAsync(current.Cancel(reason, refund), cancellationToken);
        await ForgetReminderAsync(PaymentReminders.CancelOrder);
        logger.LogInformation("Order {OrderId} cancelled ({Reason}; refund: {Refund})", OrderId, reason, refund);
        return cancelled;
    }

    private async Task RetryPaymentAsync(int attempt)
    {
        if (order is { Status: OrderStatus.AwaitingPayment, PaymentMismatch: not null } mismatched)
        {
            // The process died after saving a mismatched capture, before cancelling: finish that instead.
            logger.LogInformation("Order {OrderId} has a mismatched capture; refunding it and cancelling the order", OrderId);
            await CancelMismatchedAsync(mismatched, CancellationToken.None);
            return;
        }

        if (!PaymentReminders.ShouldRetryPayment(order))
        {
            logger.LogDebug("Order {OrderId} is {Status}; no payment to retry", OrderId, order?.Status);
            await ForgetReminderAsync(PaymentReminders.RetryPayment);
            return;
        }

        logger.LogInformation("Retrying payment of order {OrderId} (attempt {Attempt})", OrderId, attempt);
        var after = await SettlePaymentAsync(CancellationToken.None);
        if (PaymentReminders.ShouldRetryPayment(after))
        {
            await RegisterRetryAsync(attempt + 1);
        }
    }

    /// <summary>A re-submitted order that still awaits payment asks payment again.</summary>
    private async Task<OrderState> RetryAwaitingPaymentAsync(CancellationToken cancellationToken) =>
        order is { AwaitsPaymentAnswer: true }
            ? await SettlePaymentAsync(cancellationToken)
            : order!;

    private async Task<OrderState> SettlePaymentAsync(CancellationToken cancellationToken)
    {
        var current = order!;
        var asked = Stopwatch.GetTimestamp();
        var outcome = await payments.CaptureAsync(current, cancellationToken);
        metrics.CaptureAnswered(asked, outcome);
        if (outcome is PaymentOutcome.Unavailable unavailable)
        {
            logger.LogWarning("Payment for order {OrderId} deferred: {Reason}", OrderId, unavailable.Reason);
        }

        var events = current.SettlePayment(outcome);
        if (events is [PaymentMismatched mismatched])
        {
            return await RefundMismatchAsync(current, mismatched, cancellationToken);
        }

        return events.Count == 0 ? current : await ChangeAsync(events, cancellationToken);
    }

    /// <summary>
    /// A capture that is not this order's amount, currency or order id is never confirmed: the mismatch is saved, then
    /// the capture is refunded and the order cancelled (<see cref="CancelMismatchedAsync"/>). The retry-payment reminder,
    /// registered since the order was placed, is its way forward if the process dies after the save.
    /// </summary>
    private async Task<OrderState> RefundMismatchAsync(OrderState current, PaymentMismatched mismatched, CancellationToken cancellationToken)
    {
        logger.LogError("Order {OrderId} not confirmed: {Mismatch}; refunding the capture and cancelling the order", OrderId, mismatched.Describe(current));
        var recorded = await ChangeAsync([mismatched], cancellationToken);
        return await CancelMismatchedAsync(recorded, cancellationToken);
    }

    /// <summary>
    /// Refunds a mismatched capture and cancels the order; the cancel-order reminder, registered first, finishes it
    /// while payment cannot answer, now that the saved mismatch gives it the reason.
    /// </summary>
    private async Task<OrderState> CancelMismatchedAsync(OrderState current, CancellationToken cancellationToken)
    {
        await RegisterCancelAsync(current, OrderCancelled.PaymentMismatch);
        return await TryCancelAsync(current, OrderCancelled.PaymentMismatch, cancellationToken) ?? current;
    }

    /// <summary>
    /// Saves <paramref name="events"/> and starts or stops the payment reminders as the change asks: the window started
    /// before the save, so that a deferral is never saved without it; the payment reminders stopped after it, once the
    /// order is settled for good.
    /// </summary>
    private async Task<OrderState> ChangeAsync(IReadOnlyList<OrderEvent> events, CancellationToken cancellationToken)
    {
        var before = order;
        var change = Prepare(events);
        var reminders = PaymentReminders.AfterChange(before, change.After);
        if (reminders == ReminderChange.Start)
        {
            await StartPaymentWindowAsync();
        }

        var after = await SaveAsync(change, cancellationToken);

        if (reminders == ReminderChange.Stop)
        {
            foreach (var name in PaymentReminders.RunningFor(before))
            {
                await ForgetReminderAsync(name);
            }
        }

        return after;
    }

    /// <summary>The log with <paramref name="events"/> appended, the state it folds to (checking every rule), and the change's integration event.</summary>
    private PendingChange Prepare(IReadOnlyList<OrderEvent> events)
    {
        var (next, appended) = (log ?? OrderLog.Empty(OrderId)).Append(events, clock.GetUtcNow());
        var after = OrderState.Fold(order, appended)!;
        return new PendingChange(next, appended, after, OrderIntegrationEventFactory.For(after, appended[^1]));
    }

    /// <summary>
    /// Saves the changed log with its integration event in one state transaction, under the ETag read (insert-only
    /// for a new order). The cached state changes only once the save succeeded; after a failure it is dropped and
    /// read again by the next call.
    /// </summary>
    private async Task<OrderState> SaveAsync(PendingChange change, CancellationToken cancellationToken)
    {
        if (log is not null && etag is null)
        {
            await RefreshETagAsync(cancellationToken);
        }

        bool saved;
        try
        {
            saved = await logs.TrySaveAsync(change.Log, etag, change.IntegrationEvent, cancellationToken);
        }
        catch
        {
            Forget();
            throw;
        }

        if (!saved)
        {
            Forget();
            throw new StateConcurrencyException($"Order {OrderId} was changed by another writer; nothing was saved. Try again.");
        }

        (log, order, etag) = (change.Log, change.After, null);
        metrics.Saved(change.Appended);
        logger.LogInformation(
            "Order {OrderId} saved version {Version} ({EventTypes}) with {IntegrationEvent} {EventId}; status {Status}",
            OrderId,
            change.Log.Version,
            string.Join(", ", change.Appended.Select(recorded => recorded.Type)),
            change.IntegrationEvent.EventType,
            change.IntegrationEvent.EventId,
            change.After.Status);
        return change.After;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (loaded)
        {
            return;
        }

        var stored = await logs.ReadAsync(OrderId, cancellationToken);
        (log, etag, order) = (stored?.Log, stored?.ETag, stored?.Log.Fold());
        loaded = true;
    }

    private async Task RefreshETagAsync(CancellationToken cancellationToken)
    {
        var stored = await logs.ReadAsync(OrderId, cancellationToken);
        if (stored is null || stored.Log.Version != log!.Version)
        {
            Forget();
            throw new StateConcurrencyException($"Order {OrderId} is at version {stored?.Log.Version ?? 0} in the store, not {log?.Version}; nothing was saved. Try again.");
        }

        etag = stored.ETag;
    }

    private void Forget() => (loaded, log, order, etag) = (false, null, null, null);

    /// <summary>Periodic, so that an expiry that payment could not answer is tried again.</summary>
    private async Task StartPaymentWindowAsync()
    {
        var options = deadlines.Value;
        await RegisterReminderAsync(PaymentReminders.PaymentWindow, [], options.PaymentWindow, options.PaymentRetry.MaxDelay);
        logger.LogInformation("Order {OrderId} awaits payment: retried with backoff from {BaseDelay}, cancelled after {PaymentWindow} unless paid", OrderId, options.PaymentRetry.BaseDelay, options.PaymentWindow);
    }

    /// <summary>A saved mismatch is the reason an order is cancelled, whoever asks; otherwise <paramref name="intended"/>.</summary>
    private static string ReasonFor(OrderState current, string intended) =>
        current.PaymentMismatch is null ? intended : OrderCancelled.PaymentMismatch;

    /// <summary>
    /// Periodic at the first retry delay, until the cancellation is saved; it carries the cancellation's reason. From
    /// then on it alone drives an order that awaits payment, so the payment reminders stop: a retried capture would
    /// only charge what the cancellation refunds, and a window firing would replace the reason.
    /// </summary>
    private async Task RegisterCancelAsync(OrderState current, string reason)
    {
        var delay = deadlines.Value.PaymentRetry.BaseDelay;
        await RegisterReminderAsync(PaymentReminders.CancelOrder, CancelIntent.Write(reason), delay, delay);
        foreach (var name in PaymentReminders.RunningFor(current))
        {
            await ForgetReminderAsync(name);
        }
    }

    /// <summary>Periodic, so that payment is still asked again if registering the next, longer delay fails.</summary>
    private async Task RegisterRetryAsync(int attempt)
    {
        var delay = PaymentReminders.RetryDelay(attempt, deadlines.Value.PaymentRetry);
        await RegisterReminderAsync(PaymentReminders.RetryPayment, RetryAttempt.Write(attempt), delay, delay);
    }

    /// <summary>Unregisters a reminder; a failure is logged, not thrown: a stray reminder finds the order settled and does nothing.</summary>
    private async Task ForgetReminderAsync(string name)
    {
        try
        {
            await UnregisterReminderAsync(name);
        }
        catch (DaprException exception)
        {
            logger.LogWarning(exception, "Could not unregister reminder {ReminderName} of order {OrderId}", name, OrderId);
        }
    }

    private sealed record PendingChange(OrderLog Log, IReadOnlyList<RecordedOrderEvent> Appended, OrderState After, OrderIntegrationEvent IntegrationEvent);

    /// <summary>The data of the <see cref="PaymentReminders.CancelOrder"/> reminder: why the order is being cancelled.</summary>
    private sealed record CancelIntent(string Reason)
    {
        private static readonly string[] Known = [OrderCancelled.ByCustomer, OrderCancelled.PaymentWindowExpired, OrderCancelled.PaymentMismatch];

        public static byte[] Write(string reason) => JsonSerializer.SerializeToUtf8Bytes(new CancelIntent(reason), OrderEventSerializer.Options);

        /// <summary>The reason, or null for a reminder without one (or with one this version does not know).</summary>
        public static string? Read(byte[]? data)
        {
            if (data is not { Length: > 0 })
            {
                return null;
            }

            try
            {
                var reason = JsonSerializer.Deserialize<CancelIntent>(data, OrderEventSerializer.Options)?.Reason;
                return Known.Contains(reason, StringComparer.Ordinal) ? reason : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The data of the <see cref="PaymentReminders.RetryPayment"/> reminder: which attempt it is.</summary>
    private sealed record RetryAttempt(int Attempt)
    {
        public static byte[] Write(int attempt) => JsonSerializer.SerializeToUtf8Bytes(new RetryAttempt(attempt), OrderEventSerializer.Options);

        public static int Read(byte[]? data)
        {
            if (data is not { Length: > 0 })
            {
                return 1;
            }

            try
            {
                return Math.Max(1, JsonSerializer.Deserialize<RetryAttempt>(data, OrderEventSerializer.Options)?.Attempt ?? 1);
            }
            catch (JsonException)
            {
                return 1;
            }
        }
    }
}
