using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Actors;

public class OrderActorTests
{
    private readonly OrderActorHarness shop = new();

    [Fact]
    public async Task PlaceAsync_payment_captured_Confirmed_log_and_one_event_per_change()
    {
        var result = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));

        Assert.True(result.Created);
        Assert.Equal(OrderStatus.Confirmed, result.Order.Status);
        Assert.Equal(25.00m, result.Order.Total);
        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed"], shop.EventTypes(result.Order.OrderId));
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderConfirmed], shop.Logs.PublishedTypes);
        Assert.Empty(shop.Reminders.NamesFor(result.Order.OrderId));
    }

    [Fact]
    public async Task Metrics_count_what_was_saved_once_and_time_each_capture_by_its_answer()
    {
        await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        await shop.PlaceAsync(TestOrders.Command(paymentMethod: "tok_decline"));
        shop.Payments.Down = true;
        await shop.PlaceAsync(TestOrders.Command());

        Assert.Equal(3, shop.Metrics.Sum("daprshop.orders.placed"));
        Assert.Equal(1, shop.Metrics.Sum("daprshop.orders.settled", ("daprshop.order.status", "confirmed")));
        Assert.Equal(1, shop.Metrics.Sum("daprshop.orders.settled", ("daprshop.order.status", "rejected")));
        Assert.Equal(1, shop.Metrics.Sum("daprshop.orders.payment_deferred"));
        Assert.Equal(1, shop.Metrics.Count("daprshop.payment.capture.duration", ("daprshop.payment.outcome", "captured")));
        Assert.Equal(1, shop.Metrics.Count("daprshop.payment.capture.duration", ("daprshop.payment.outcome", "declined")));
        Assert.Equal(1, shop.Metrics.Count("daprshop.payment.capture.duration", ("daprshop.payment.outcome", "unavailable")));
    }

    [Fact]
    public async Task PlaceAsync_payment_declined_Rejected_with_reason()
    {
        var result = await shop.PlaceAsync(TestOrders.Command(paymentMethod: "tok_decline"));

        Assert.Equal(OrderStatus.Rejected, result.Order.Status);
        Assert.Equal("card_declined", result.Order.StatusReason);
        Assert.Equal(["OrderPlaced", "PaymentDeclined", "OrderRejected"], shop.EventTypes(result.Order.OrderId));
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderRejected], shop.Logs.PublishedTypes);
    }

    [Fact]
    public async Task PlaceAsync_payment_down_AwaitingPayment_deferred_with_window_and_retry_reminders()
    {
        shop.Payments.Down = true;

        var result = await shop.PlaceAsync(TestOrders.Command());

        var orderId = result.Order.OrderId;
        Assert.Equal(OrderStatus.AwaitingPayment, result.Order.Status);
        Assert.Equal(["OrderPlaced", "PaymentDeferred"], shop.EventTypes(orderId));
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderPaymentDeferred], shop.Logs.PublishedTypes);
        var window = shop.Reminders.Find(orderId, PaymentReminders.PaymentWindow);
        var retry = shop.Reminders.Find(orderId, PaymentReminders.RetryPayment);
        Assert.Equal(TimeSpan.FromMinutes(10), window?.DueTime);
        Assert.Equal(TimeSpan.FromMinutes(1), window?.Period);
        Assert.Equal(TimeSpan.FromSeconds(5), retry?.DueTime);
        Assert.Equal(TimeSpan.FromSeconds(5), retry?.Period);
    }

    [Fact]
    public async Task PlaceAsync_same_key_twice_Same_order_one_payment_call()
    {
        var first = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        var second = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Order.OrderId, second.Order.OrderId);
        Assert.Equal(1, shop.Payments.CaptureCalls);
        Assert.Single(await shop.Queries.ListByUserAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task PlaceAsync_same_key_concurrently_One_order_one_charge()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => shop.PlaceAsync(TestOrders.Command(key: "k-1")))));

        Assert.Single(results.Select(result => result.Order.OrderId).Distinct());
        Assert.Single(results, result => result.Created);
        Assert.Equal(1, shop.Payments.Charges);
        Assert.Single(shop.Logs.PublishedTypes, type => type == OrderEventTypes.OrderConfirmed);
    }

    [Fact]
    public async Task PlaceAsync_same_key_after_payment_was_down_Confirms_once_and_stops_reminders()
    {
        shop.Payments.Down = true;
        var first = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        shop.Payments.Down = false;

        var second = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));

        Assert.Equal(OrderStatus.AwaitingPayment, first.Order.Status);
        Assert.Equal(OrderStatus.Confirmed, second.Order.Status);
        Assert.Equal(1, shop.Payments.Charges);
        Assert.Equal(["OrderPlaced", "PaymentDeferred", "PaymentCaptured", "OrderConfirmed"], shop.EventTypes(first.Order.OrderId));
        Assert.Empty(shop.Reminders.NamesFor(first.Order.OrderId));
    }

    [Fact]
    public async Task PlaceAsync_same_key_while_payment_still_down_Records_the_deferral_once()
    {
        shop.Payments.Down = true;
        var first = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));

        await shop.PlaceAsync(TestOrders.Command(key: "k-1"));

        Assert.Equal(["OrderPlaced", "PaymentDeferred"], shop.EventTypes(first.Order.OrderId));
        Assert.Equal(2, shop.Payments.CaptureCalls);
    }

    [Fact]
    public async Task PlaceAsync_without_key_twice_Two_orders_two_charges()
    {
        var first = await shop.PlaceAsync(TestOrders.Command());
        var second = await shop.PlaceAsync(TestOrders.Command());

        Assert.NotEqual(first.Order.OrderId, second.Order.OrderId);
        Assert.Equal(2, shop.Payments.Charges);
    }

    [Fact]
    public async Task PaymentWindow_reminder_order_still_awaiting_payment_Voided_cancelled_and_retry_stopped()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Clock.Advance(TimeSpan.FromMinutes(10));
        shop.Payments.Down = false;

        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.PaymentWindow));

        var log = shop.Logs.Peek(orderId)!;
        Assert.Equal(["OrderPlaced", "PaymentDeferred", "OrderCancelled"], log.Events.Select(e => e.Type));
        Assert.Equal(OrderStatus.Cancelled, log.Fold()!.Status);
        Assert.Equal("payment window expired", log.Fold()!.StatusReason);
        Assert.Equal(OrderEventTypes.OrderCancelled, shop.Logs.PublishedTypes[^1]);
        Assert.Equal("payment window expired", shop.Logs.Published[^1].Reason);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
        Assert.Equal(1, shop.Payments.RefundCalls);
        Assert.True(shop.Payments.IsVoided(orderId));
        Assert.Equal(0, shop.Payments.Charges);
    }

    [Fact]
    public async Task PaymentWindow_reminder_payment_still_down_Order_waits_and_the_cancel_reminder_finishes_it()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.PaymentWindow);

        Assert.Equal(["OrderPlaced", "PaymentDeferred"], shop.EventTypes(orderId));
        Assert.Equal([PaymentReminders.CancelOrder], shop.Reminders.NamesFor(orderId));

        shop.Payments.Down = false;
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder);

        Assert.Equal(["OrderPlaced", "PaymentDeferred", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal("payment window expired", shop.Logs.Peek(orderId)!.Fold()!.StatusReason);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
        Assert.Equal(0, shop.Payments.Charges);
    }

    [Fact]
    public async Task PaymentWindow_capture_went_through_unseen_Refunded_then_cancelled()
    {
        var orderId = await DeferredAfterAnUnseenCaptureAsync("k-crash");

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.PaymentWindow);

        Assert.Equal(["OrderPlaced", "PaymentDeferred", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
    }

    [Fact]
    public async Task PaymentWindow_refund_lands_after_the_process_died_Cancel_reminder_cancels_with_its_reason_refunded_once()
    {
        var orderId = await DeferredAfterAnUnseenCaptureAsync("k-late-refund");

        // The window's refund is sent, and the process dies before payment has done it: the request is still under way.
        shop.Payments.CrashOnNextRefund = false;
        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.Actors.FireReminderAsync(orderId, PaymentReminders.PaymentWindow));
        shop.Actors.Deactivate(orderId);
        Assert.Equal([PaymentReminders.CancelOrder], shop.Reminders.NamesFor(orderId));
        Assert.Equal(PaymentRefundOutcome.Refunded, await shop.Payments.RefundAsync(orderId, CancellationToken.None));

        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder));

        Assert.Equal(["OrderPlaced", "PaymentDeferred", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal("payment window expired", shop.Logs.Peek(orderId)!.Fold()!.StatusReason);
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task Cancel_reminder_on_an_order_a_capture_confirmed_meanwhile_Cancels_it_and_keeps_the_one_refund()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        await shop.Reminders.RegisterReminderAsync(CancelReminder(orderId, """{"reason":"payment window expired"}"""));
        Assert.Equal(PaymentRefundOutcome.Refunded, await shop.Payments.RefundAsync(orderId, CancellationToken.None));

        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder));

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal("payment window expired", shop.Logs.Peek(orderId)!.Fold()!.StatusReason);
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"reason\":\"because\"}")]
    [InlineData("not json")]
    public async Task Cancel_reminder_without_a_known_reason_Cancelled_by_customer(string data)
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        await shop.Reminders.RegisterReminderAsync(CancelReminder(orderId, data));

        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder));

        Assert.Equal("cancelled_by_customer", shop.Logs.Peek(orderId)!.Fold()!.StatusReason);
    }

    [Fact]
    public async Task CancelAsync_while_payment_is_down_Payment_reminders_stop_so_the_customers_reason_stays()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        Assert.Equal(CancellationOutcomeKind.Pending, (await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None)).Kind);

        Assert.Equal([PaymentReminders.CancelOrder], shop.Reminders.NamesFor(orderId));
        shop.Payments.Down = false;
        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder));

        Assert.Equal("cancelled_by_customer", shop.Logs.Peek(orderId)!.Fold()!.StatusReason);
        Assert.Equal(0, shop.Payments.Charges);
    }

    [Fact]
    public async Task PaymentWindow_reminder_order_already_confirmed_Changes_nothing()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command(key: "k-1"))).Order.OrderId;
        var window = shop.Reminders.Find(orderId, PaymentReminders.PaymentWindow)!;
        shop.Payments.Down = false;
        await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        await shop.Reminders.RegisterReminderAsync(window);

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.PaymentWindow);

        Assert.Equal(OrderStatus.Confirmed, shop.Logs.Peek(orderId)!.Fold()!.Status);
        Assert.Equal(4, shop.Logs.Peek(orderId)!.Version);
    }

    [Fact]
    public async Task RetryPayment_reminder_payment_back_Confirmed_and_both_reminders_stopped()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Payments.Down = false;

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Equal(["OrderPlaced", "PaymentDeferred", "PaymentCaptured", "OrderConfirmed"], shop.EventTypes(orderId));
        Assert.Equal(OrderEventTypes.OrderConfirmed, shop.Logs.PublishedTypes[^1]);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
        Assert.Equal(1, shop.Payments.Charges);
    }

    [Fact]
    public async Task RetryPayment_reminder_payment_still_down_Backs_off_without_new_events()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Equal(["OrderPlaced", "PaymentDeferred"], shop.EventTypes(orderId));
        Assert.Equal(3, shop.Payments.CaptureCalls);
        Assert.Equal(TimeSpan.FromSeconds(20), shop.Reminders.Find(orderId, PaymentReminders.RetryPayment)?.DueTime);
        Assert.NotNull(shop.Reminders.Find(orderId, PaymentReminders.PaymentWindow));
    }

    [Fact]
    public async Task RetryPayment_reminder_order_settled_Unregisters_itself_without_calling_payment()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        await shop.Reminders.RegisterReminderAsync(new Dapr.Actors.Runtime.ActorReminder(
            "OrderActor", new Dapr.Actors.ActorId(orderId), PaymentReminders.RetryPayment, [], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Empty(shop.Reminders.NamesFor(orderId));
        Assert.Equal(1, shop.Payments.CaptureCalls);
    }

    [Fact]
    public async Task CancelAsync_confirmed_Refunded_then_cancelled_with_exactly_one_refund()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;

        var first = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);
        var second = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.Cancelled, first.Kind);
        Assert.Equal(OrderStatus.Cancelled, first.Order?.Status);
        Assert.Equal(CancellationOutcomeKind.NotCancellable, second.Kind);
        Assert.Contains("already cancelled", second.Detail, StringComparison.Ordinal);
        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.RefundCalls);
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        Assert.Single(shop.Logs.PublishedTypes, type => type == OrderEventTypes.OrderCancelled);
    }

    [Fact]
    public async Task CancelAsync_rejected_NotCancellable()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command(paymentMethod: "tok_decline"))).Order.OrderId;

        var outcome = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotCancellable, outcome.Kind);
        Assert.Equal(0, shop.Payments.RefundCalls);
    }

    [Fact]
    public async Task CancelAsync_not_the_owner_NotOwner_and_unchanged()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;

        var outcome = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-2"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotOwner, outcome.Kind);
        Assert.Equal(3, shop.Logs.Peek(orderId)!.Version);
    }

    [Fact]
    public async Task CancelAsync_unknown_order_NotFound()
    {
        var outcome = await shop.Actors.ForOrder("nope").CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotFound, outcome.Kind);
    }

    [Fact]
    public async Task CancelAsync_payment_down_Pending_then_the_reminder_completes_it()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Payments.Down = true;

        var outcome = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.Pending, outcome.Kind);
        Assert.Equal(OrderStatus.Confirmed, shop.Logs.Peek(orderId)!.Fold()!.Status);
        Assert.Equal([PaymentReminders.CancelOrder], shop.Reminders.NamesFor(orderId));

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder);
        Assert.Equal(OrderStatus.Confirmed, shop.Logs.Peek(orderId)!.Fold()!.Status);

        shop.Payments.Down = false;
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder);

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task CancelAsync_process_dies_after_the_refund_Reminder_saves_the_cancellation_refunded_once()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Payments.CrashOnNextRefund = true;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None));
        shop.Actors.Deactivate(orderId);
        Assert.Equal(OrderStatus.Confirmed, shop.Logs.Peek(orderId)!.Fold()!.Status);

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder);

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Theory]
    [InlineData(0, "EUR")]
    [InlineData(25, "USD")]
    [InlineData(24.99, "EUR")]
    public async Task PlaceAsync_capture_of_another_amount_or_currency_Never_confirmed_refunded_and_cancelled(decimal amount, string currency)
    {
        var command = TestOrders.Command(key: "k-forged");
        var orderId = command.OrderId();
        shop.Payments.CaptureFirst(orderId, amount, currency);

        var result = await shop.PlaceAsync(command);

        Assert.Equal(OrderStatus.Cancelled, result.Order.Status);
        Assert.Equal(OrderCancelled.PaymentMismatch, result.Order.StatusReason);
        Assert.Equal(["OrderPlaced", "PaymentMismatched", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderPaymentDeferred, OrderEventTypes.OrderCancelled], shop.Logs.PublishedTypes);
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        var refunded = Assert.IsType<PaymentRefunded>(shop.Logs.Peek(orderId)!.Recorded().ElementAt(2).Event);
        Assert.Equal(amount, refunded.Amount);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task PlaceAsync_process_dies_while_refunding_the_mismatch_Cancel_reminder_cancels_with_its_reason()
    {
        var command = TestOrders.Command(key: "k-forged");
        var orderId = command.OrderId();
        shop.Payments.CaptureFirst(orderId, 0m, "EUR");
        shop.Payments.CrashOnNextRefund = false;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.PlaceAsync(command));
        shop.Actors.Deactivate(orderId);
        var saved = shop.Logs.Peek(orderId)!.Fold()!;
        Assert.Equal(OrderStatus.AwaitingPayment, saved.Status);
        Assert.NotNull(saved.PaymentMismatch);
        Assert.Equal([PaymentReminders.CancelOrder], shop.Reminders.NamesFor(orderId));

        // The same request again takes no second answer for the mismatched capture.
        Assert.Equal(OrderStatus.AwaitingPayment, (await shop.PlaceAsync(command)).Order.Status);
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.CancelOrder);

        Assert.Equal(["OrderPlaced", "PaymentMismatched", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        var cancelled = shop.Logs.Peek(orderId)!.Fold()!;
        Assert.Equal(OrderCancelled.PaymentMismatch, cancelled.StatusReason);
        Assert.Equal(0m, Assert.IsType<PaymentRefunded>(shop.Logs.Peek(orderId)!.Recorded().ElementAt(2).Event).Amount);
        Assert.Equal(1, shop.Payments.Refunds[orderId]);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task Mismatched_capture_while_payment_was_deferred_Every_reminder_removed_once_cancelled()
    {
        shop.Payments.Down = true;
        var command = TestOrders.Command(key: "k-late-forgery");
        var orderId = command.OrderId();
        await shop.PlaceAsync(command);
        Assert.Contains(PaymentReminders.PaymentWindow, shop.Reminders.NamesFor(orderId));
        shop.Payments.Down = false;
        shop.Payments.CaptureFirst(orderId, 1m, "EUR");

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Equal(["OrderPlaced", "PaymentDeferred", "PaymentMismatched", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task CancelAsync_awaiting_payment_Voids_the_payment_so_a_late_capture_charges_nothing()
    {
        shop.Payments.Down = true;
        var command = TestOrders.Command();
        var orderId = (await shop.PlaceAsync(command)).Order.OrderId;
        shop.Payments.Down = false;

        await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);
        var late = await shop.Payments.CaptureAsync(shop.Logs.Peek(orderId)!.Fold()!, CancellationToken.None);

        Assert.IsType<PaymentOutcome.Unavailable>(late);
        Assert.Equal(0, shop.Payments.Charges);
    }

    [Fact]
    public async Task PlaceAsync_process_dies_before_payment_is_asked_Retry_reminder_confirms_it()
    {
        var command = TestOrders.Command(key: "k-crash");
        shop.Payments.CrashOnNextCapture = false;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.PlaceAsync(command));
        var orderId = command.OrderId();
        shop.Actors.Deactivate(orderId);
        Assert.Equal(["OrderPlaced"], shop.EventTypes(orderId));
        Assert.Equal([PaymentReminders.RetryPayment], shop.Reminders.NamesFor(orderId));

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.Charges);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task PlaceAsync_process_dies_after_the_capture_Retry_reminder_confirms_with_the_same_payment()
    {
        var command = TestOrders.Command(key: "k-crash");
        shop.Payments.CrashOnNextCapture = true;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.PlaceAsync(command));
        var orderId = command.OrderId();
        shop.Actors.Deactivate(orderId);
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed"], shop.EventTypes(orderId));
        Assert.Equal(1, shop.Payments.Charges);
        Assert.Equal(2, shop.Payments.CaptureCalls);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task PlaceAsync_process_dies_after_the_capture_Client_retry_with_the_same_key_confirms_it()
    {
        var command = TestOrders.Command(key: "k-1");
        shop.Payments.CrashOnNextCapture = true;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.PlaceAsync(command));
        shop.Actors.Deactivate(command.OrderId());
        var again = await shop.PlaceAsync(command);

        Assert.False(again.Created);
        Assert.Equal(OrderStatus.Confirmed, again.Order.Status);
        Assert.Equal(1, shop.Payments.Charges);
        Assert.Empty(shop.Reminders.NamesFor(command.OrderId()));
    }

    [Fact]
    public async Task CancelAsync_awaiting_payment_Cancelled_without_refund_and_reminders_stopped()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Payments.Down = false;

        var outcome = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.Cancelled, outcome.Kind);
        Assert.Equal(["OrderPlaced", "PaymentDeferred", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Empty(shop.Payments.Refunds);
        Assert.Empty(shop.Reminders.NamesFor(orderId));
    }

    [Fact]
    public async Task Save_that_fails_to_commit_Publishes_nothing_and_the_next_call_starts_from_the_stored_log()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Logs.FailNextSaves(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None));
        var published = shop.Logs.PublishedTypes.Count;
        var retried = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.Equal(2, published);
        Assert.Equal(CancellationOutcomeKind.Cancelled, retried.Kind);
        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], shop.EventTypes(orderId));
        Assert.Equal(3, shop.Logs.PublishedTypes.Count);
    }

    [Fact]
    public async Task First_save_fails_Index_already_names_the_order_and_the_list_skips_it()
    {
        shop.Logs.FailNextSaves(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => shop.PlaceAsync(TestOrders.Command(key: "k-1")));

        Assert.Single(await new OrderService.Infrastructure.StateUserOrderIndex(shop.State).GetAsync("u-1", CancellationToken.None));
        Assert.Empty(await shop.Queries.ListByUserAsync("u-1", CancellationToken.None));
        Assert.Equal(0, shop.Payments.CaptureCalls);
        Assert.Empty(shop.Logs.PublishedTypes);

        // The retry reminder was registered first; firing it finds no order and removes it.
        var orderId = TestOrders.Command(key: "k-1").OrderId();
        Assert.True(await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment));
        Assert.Empty(shop.Reminders.NamesFor(orderId));
        Assert.Equal(0, shop.Payments.CaptureCalls);
    }

    [Fact]
    public async Task Log_changed_by_another_writer_Save_refused_and_nothing_published()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        var stored = shop.Logs.Peek(orderId)!;
        shop.Logs.Overwrite(stored.Append([new OrderService.Domain.Events.PaymentRefunded("p-x", 25m)], TestOrders.Start).Log);

        await Assert.ThrowsAsync<DaprShop.ServiceDefaults.State.StateConcurrencyException>(
            () => shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None));

        Assert.Equal(2, shop.Logs.PublishedTypes.Count);
        Assert.Equal(4, shop.Logs.Peek(orderId)!.Version);
    }

    [Fact]
    public async Task New_activation_Loads_the_log_and_continues_it()
    {
        var orderId = (await shop.PlaceAsync(TestOrders.Command(key: "k-1"))).Order.OrderId;
        shop.Actors.Deactivate(orderId);

        var again = await shop.PlaceAsync(TestOrders.Command(key: "k-1"));
        var cancelled = await shop.Actors.ForOrder(orderId).CancelAsync(new CancelOrder("u-1"), CancellationToken.None);

        Assert.False(again.Created);
        Assert.Equal(OrderStatus.Confirmed, again.Order.Status);
        Assert.Equal(5, cancelled.Order?.Version);
    }

    [Fact]
    public async Task Events_of_one_change_share_a_time_and_later_changes_come_later()
    {
        shop.Payments.Down = true;
        var orderId = (await shop.PlaceAsync(TestOrders.Command())).Order.OrderId;
        shop.Clock.Advance(TimeSpan.FromSeconds(30));
        shop.Payments.Down = false;

        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);

        var times = shop.Logs.Peek(orderId)!.Events.Select(e => e.OccurredAt).ToList();
        Assert.Equal([TestOrders.Start, TestOrders.Start, TestOrders.Start.AddSeconds(30), TestOrders.Start.AddSeconds(30)], times);
    }

    /// <summary>
    /// An order whose capture went through while its process died, then deferred by a retry while payment was down
    /// (payment is back afterwards): it awaits payment with its money already taken.
    /// </summary>
    private async Task<string> DeferredAfterAnUnseenCaptureAsync(string key)
    {
        var command = TestOrders.Command(key: key);
        shop.Payments.CrashOnNextCapture = true;
        await Assert.ThrowsAsync<SimulatedCrashException>(() => shop.PlaceAsync(command));
        var orderId = command.OrderId();
        shop.Actors.Deactivate(orderId);
        shop.Payments.Down = true;
        await shop.Actors.FireReminderAsync(orderId, PaymentReminders.RetryPayment);
        shop.Payments.Down = false;
        return orderId;
    }

    /// <summary>A cancel-order reminder as an earlier turn (or version) would have registered it, with <paramref name="data"/> as its data.</summary>
    private static Dapr.Actors.Runtime.ActorReminder CancelReminder(string orderId, string data) =>
        new(OrderService.Actors.OrderActor.TypeName, new Dapr.Actors.ActorId(orderId), PaymentReminders.CancelOrder, System.Text.Encoding.UTF8.GetBytes(data), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
}
