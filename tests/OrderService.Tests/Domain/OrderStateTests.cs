using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class OrderStateTests
{
    private static readonly DateTimeOffset T0 = TestOrders.Start;

    private static RecordedOrderEvent At(long sequence, OrderEvent orderEvent, int second = 0) => new(sequence, T0.AddSeconds(second), orderEvent);

    private static OrderState Fold(params OrderEvent[] events) =>
        OrderState.Fold(events.Select((orderEvent, i) => At(i + 1, orderEvent, i)))!;

    private static OrderPlaced Placed() => TestOrders.PlacedEvent();

    // The fold

    [Fact]
    public void Fold_no_events_Null()
    {
        Assert.Null(OrderState.Fold([]));
    }

    [Fact]
    public void Fold_placed_AwaitingPayment_with_the_order_fields()
    {
        var order = Fold(Placed());

        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.Equal("o-1", order.OrderId);
        Assert.Equal("u-1", order.UserId);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(25.00m, order.Total);
        Assert.Equal(T0, order.CreatedAt);
        Assert.Equal(T0, order.UpdatedAt);
        Assert.Equal(1, order.Version);
    }

    [Fact]
    public void Fold_captured_and_confirmed_Confirmed_with_payment_id_and_last_time()
    {
        var order = Fold(Placed(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"));

        Assert.Equal(OrderStatus.Confirmed, order.Status);
        Assert.Equal("p-1", order.PaymentId);
        Assert.True(order.PaymentCaptured);
        Assert.Equal(T0, order.CreatedAt);
        Assert.Equal(T0.AddSeconds(2), order.UpdatedAt);
        Assert.Equal(3, order.Version);
        Assert.Null(order.StatusReason);
    }

    [Fact]
    public void Fold_declined_and_rejected_Rejected_with_reason()
    {
        var order = Fold(Placed(), new PaymentDeclined("p-1", "card_declined"), new OrderRejected("card_declined"));

        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Equal("card_declined", order.StatusReason);
    }

    [Fact]
    public void Fold_deferred_AwaitingPayment_deferred_with_reason()
    {
        var order = Fold(Placed(), new PaymentDeferred("payment-service answered 503"));

        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.True(order.PaymentDeferred);
        Assert.Equal("payment-service answered 503", order.StatusReason);
    }

    [Fact]
    public void Fold_deferred_then_captured_Confirmed_and_no_longer_deferred()
    {
        var order = Fold(Placed(), new PaymentDeferred("down"), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"));

        Assert.Equal(OrderStatus.Confirmed, order.Status);
        Assert.False(order.PaymentDeferred);
        Assert.Null(order.StatusReason);
    }

    [Fact]
    public void Fold_refunded_and_cancelled_Cancelled_and_refunded()
    {
        var order = Fold(Placed(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"), new PaymentRefunded("p-1", 25m), new OrderCancelled(OrderCancelled.ByCustomer));

        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.True(order.PaymentRefunded);
        Assert.Equal(OrderCancelled.ByCustomer, order.StatusReason);
    }

    [Fact]
    public void Fold_is_pure_Same_events_same_state()
    {
        OrderEvent[] events = [Placed(), new PaymentDeferred("down"), new OrderCancelled(OrderCancelled.PaymentWindowExpired)];

        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(Fold(events)),
            System.Text.Json.JsonSerializer.Serialize(Fold(events)));
    }

    // Rules the fold enforces

    [Fact]
    public void Fold_first_event_not_placed_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(new PaymentCaptured("p-1", 1m)));
    }

    [Fact]
    public void Apply_placed_twice_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), Placed()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Apply_out_of_sequence_Throws(long sequence)
    {
        var order = Fold(Placed());

        Assert.Throws<OrderInvariantException>(() => order.Apply(At(sequence, new PaymentDeferred("down"))));
    }

    [Fact]
    public void Apply_second_capture_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new PaymentCaptured("p-1", 25m), new PaymentCaptured("p-2", 25m)));
    }

    [Fact]
    public void Apply_confirmed_without_capture_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new OrderConfirmed("p-1")));
    }

    [Fact]
    public void Apply_rejected_without_decline_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new OrderRejected("card_declined")));
    }

    [Fact]
    public void Apply_cancel_of_a_captured_order_without_refund_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"), new OrderCancelled(OrderCancelled.ByCustomer)));
    }

    [Fact]
    public void Apply_cancel_of_a_cancelled_order_Throws_transition()
    {
        var exception = Assert.Throws<OrderTransitionException>(() => Fold(Placed(), new OrderCancelled("a"), new OrderCancelled("b")));

        Assert.Equal(OrderStatus.Cancelled, exception.From);
    }

    [Fact]
    public void Apply_cancel_of_a_rejected_order_Throws_transition()
    {
        Assert.Throws<OrderTransitionException>(() => Fold(Placed(), new PaymentDeclined("p-1", null), new OrderRejected("x"), new OrderCancelled("y")));
    }

    [Fact]
    public void Apply_second_refund_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"), new PaymentRefunded("p-1", 25m), new PaymentRefunded("p-1", 25m)));
    }

    [Fact]
    public void Apply_payment_answer_after_settlement_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new OrderCancelled("x"), new PaymentDeferred("down")));
    }

    // Commands

    [Fact]
    public void Place_lines_Total_is_exact_decimal_sum_and_currency_upper_case()
    {
        var placed = OrderState.Place("o-1", TestOrders.Command(items: [new OrderLine("a", 3, 19.99m), new OrderLine("b", 1, 0.01m), new OrderLine("c", 2, 0.10m)]));

        Assert.Equal(60.18m, placed.Total);
        Assert.Equal("EUR", placed.Currency);
        Assert.Equal("o-1", placed.OrderId);
    }

    [Fact]
    public void Place_no_items_Throws()
    {
        Assert.Throws<ArgumentException>(() => OrderState.Place("o-1", TestOrders.Command(items: [])));
    }

    [Theory]
    [InlineData("", 1, 1)]
    [InlineData("sku", 0, 1)]
    [InlineData("sku", -2, 1)]
    [InlineData("sku", 1, -0.01)]
    public void Place_bad_item_Throws(string sku, int quantity, double unitPrice)
    {
        Assert.Throws<ArgumentException>(() => OrderState.Place("o-1", TestOrders.Command(items: [new OrderLine(sku, quantity, (decimal)unitPrice)])));
    }

    [Theory]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    public void Place_bad_currency_Throws(string currency)
    {
        Assert.Throws<ArgumentException>(() => OrderState.Place("o-1", TestOrders.Command() with { Currency = currency }));
    }

    [Fact]
    public void SettlePayment_captured_Captured_then_confirmed()
    {
        var events = TestOrders.Placed().SettlePayment(new PaymentOutcome.Captured("p-1", "o-1", 25m, "EUR"));

        Assert.Equal([new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1")], events);
    }

    [Theory]
    [InlineData("o-1", 0, "EUR")]
    [InlineData("o-1", 25.01, "EUR")]
    [InlineData("o-1", 25, "USD")]
    [InlineData("o-2", 25, "EUR")]
    public void SettlePayment_capture_not_matching_the_order_Mismatched_alone(string orderId, decimal amount, string currency)
    {
        var events = TestOrders.Placed().SettlePayment(new PaymentOutcome.Captured("p-1", orderId, amount, currency));

        Assert.Equal([new PaymentMismatched("p-1", orderId, amount, currency)], events);
    }

    [Fact]
    public void SettlePayment_capture_currency_in_lower_case_Still_the_order_s()
    {
        Assert.IsType<OrderConfirmed>(TestOrders.Placed().SettlePayment(new PaymentOutcome.Captured("p-1", "o-1", 25.00m, "eur"))[^1]);
    }

    [Fact]
    public void Mismatched_order_Takes_no_other_answer_and_cancels_only_with_its_refund()
    {
        var order = Fold(Placed(), new PaymentMismatched("p-1", "o-1", 0m, "EUR"));

        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.False(order.AwaitsPaymentAnswer);
        Assert.Equal("payment captured 0 EUR, the order is 25.00 EUR", order.StatusReason);
        Assert.Throws<OrderInvariantException>(() => order.SettlePayment(new PaymentOutcome.Captured("p-1", "o-1", 25m, "EUR")));
        Assert.Throws<OrderInvariantException>(() => order.Cancel(OrderCancelled.PaymentMismatch, PaymentRefundOutcome.NoPayment));
        Assert.Throws<OrderInvariantException>(() => Fold(Placed(), new PaymentMismatched("p-1", "o-1", 0m, "EUR"), new OrderCancelled(OrderCancelled.PaymentMismatch)));
        Assert.Equal(
            [new PaymentRefunded("p-1", 0m), new OrderCancelled(OrderCancelled.PaymentMismatch)],
            order.Cancel(OrderCancelled.PaymentMismatch, PaymentRefundOutcome.Refunded));
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("ABC")]
    [InlineData("XAU")]
    public void Place_not_an_iso_4217_currency_of_money_Throws(string currency)
    {
        Assert.Throws<ArgumentException>(() => OrderState.Place("o-1", TestOrders.Command() with { Currency = currency }));
    }

    [Theory]
    [InlineData("EUR", 12.505)]
    [InlineData("JPY", 1.5)]
    [InlineData("KWD", 0.0001)]
    public void Place_price_finer_than_the_minor_unit_Throws(string currency, decimal price)
    {
        Assert.Throws<ArgumentException>(() => OrderState.Place("o-1", TestOrders.Command(items: [new OrderLine("sku-1", 1, price)]) with { Currency = currency }));
    }

    [Fact]
    public void SettlePayment_declined_Declined_then_rejected_with_reason()
    {
        var events = TestOrders.Placed().SettlePayment(new PaymentOutcome.Declined("p-1", "card_declined"));

        Assert.Equal([new PaymentDeclined("p-1", "card_declined"), new OrderRejected("card_declined")], events);
    }

    [Fact]
    public void SettlePayment_unavailable_Deferred()
    {
        var events = TestOrders.Placed().SettlePayment(new PaymentOutcome.Unavailable("payment-service answered 503"));

        Assert.Equal([new PaymentDeferred("payment-service answered 503")], events);
    }

    [Fact]
    public void SettlePayment_unavailable_again_Nothing_new()
    {
        Assert.Empty(TestOrders.Deferred().SettlePayment(new PaymentOutcome.Unavailable("still down")));
    }

    [Fact]
    public void SettlePayment_confirmed_order_Throws_no_second_capture()
    {
        Assert.Throws<OrderInvariantException>(() => TestOrders.Confirmed().SettlePayment(new PaymentOutcome.Captured("p-2", "o-1", 25m, "EUR")));
    }

    [Fact]
    public void SettlePayment_cancelled_order_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => TestOrders.Cancelled().SettlePayment(new PaymentOutcome.Captured("p-1", "o-1", 25m, "EUR")));
    }

    [Fact]
    public void Cancel_confirmed_and_refunded_Refund_then_cancel()
    {
        var events = TestOrders.Confirmed().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.Refunded);

        Assert.Equal([new PaymentRefunded("p-1", 25m), new OrderCancelled(OrderCancelled.ByCustomer)], events);
    }

    [Fact]
    public void Cancel_awaiting_payment_nothing_captured_Cancel_only()
    {
        Assert.Equal([new OrderCancelled(OrderCancelled.ByCustomer)], TestOrders.Deferred().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.NoPayment));
    }

    [Fact]
    public void Cancel_awaiting_payment_whose_capture_went_through_unseen_Refund_then_cancel()
    {
        var events = TestOrders.Deferred().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.Refunded);

        Assert.Equal([new PaymentRefunded(null, 25m), new OrderCancelled(OrderCancelled.ByCustomer)], events);
        Assert.Equal(OrderStatus.Cancelled, OrderState.Fold(TestOrders.Deferred(), events.Select((e, i) => At(3 + i, e)))!.Status);
    }

    [Fact]
    public void Cancel_cancelled_Throws_already_cancelled()
    {
        var exception = Assert.Throws<OrderTransitionException>(() => TestOrders.Cancelled().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.NoPayment));

        Assert.Contains("already cancelled", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancel_rejected_Throws()
    {
        Assert.Throws<OrderTransitionException>(() => TestOrders.Rejected().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.NotRefundable));
    }

    [Fact]
    public void Cancel_refund_unknown_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => TestOrders.Confirmed().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.Unavailable));
    }

    [Fact]
    public void Cancel_captured_but_payment_found_nothing_to_refund_Throws()
    {
        Assert.Throws<OrderInvariantException>(() => TestOrders.Confirmed().Cancel(OrderCancelled.ByCustomer, PaymentRefundOutcome.NoPayment));
    }
}
