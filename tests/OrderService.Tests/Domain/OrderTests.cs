using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.Tests.Domain;

public class OrderTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static Order Placed(params OrderLine[] items) =>
        Order.Place("o-1", "u-1", "u-1@example.com", items.Length > 0 ? items : [new OrderLine("sku-1", 1, 10m)], "eur", "tok_visa", Now);

    [Fact]
    public void Place_lines_Total_is_exact_decimal_sum()
    {
        var order = Placed(new OrderLine("a", 3, 19.99m), new OrderLine("b", 1, 0.01m), new OrderLine("c", 2, 0.10m));

        Assert.Equal(60.18m, order.Total);
    }

    [Fact]
    public void Place_new_order_AwaitingPayment_with_upper_case_currency()
    {
        var order = Placed();

        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(Now, order.CreatedAt);
        Assert.Equal(Now, order.UpdatedAt);
    }

    [Fact]
    public void Place_no_items_Throws()
    {
        Assert.Throws<ArgumentException>(() => Order.Place("o-1", "u-1", null, [], "EUR", "tok_visa", Now));
    }

    [Theory]
    [InlineData("", 1, 1)]
    [InlineData("sku", 0, 1)]
    [InlineData("sku", -2, 1)]
    [InlineData("sku", 1, -0.01)]
    public void Place_bad_item_Throws(string sku, int quantity, double unitPrice)
    {
        Assert.Throws<ArgumentException>(() => Placed(new OrderLine(sku, quantity, (decimal)unitPrice)));
    }

    [Theory]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    public void Place_bad_currency_Throws(string currency)
    {
        Assert.Throws<ArgumentException>(() => Order.Place("o-1", "u-1", null, [new OrderLine("a", 1, 1m)], currency, "tok_visa", Now));
    }

    [Fact]
    public void Confirm_awaiting_payment_Confirmed_with_payment_id()
    {
        var confirmed = Placed().Confirm("p-1", Now.AddSeconds(1));

        Assert.Equal(OrderStatus.Confirmed, confirmed.Status);
        Assert.Equal("p-1", confirmed.PaymentId);
        Assert.Equal(Now.AddSeconds(1), confirmed.UpdatedAt);
    }

    [Fact]
    public void Reject_awaiting_payment_Rejected_with_reason()
    {
        var rejected = Placed().Reject("p-1", "card_declined", Now);

        Assert.Equal(OrderStatus.Rejected, rejected.Status);
        Assert.Equal("card_declined", rejected.StatusReason);
    }

    [Fact]
    public void Cancel_confirmed_Cancelled()
    {
        Assert.Equal(OrderStatus.Cancelled, Placed().Confirm("p-1", Now).Cancel(Now).Status);
    }

    [Fact]
    public void Cancel_cancelled_Throws_transition_exception()
    {
        var cancelled = Placed().Cancel(Now);

        var exception = Assert.Throws<OrderTransitionException>(() => cancelled.Cancel(Now));
        Assert.Equal(OrderStatus.Cancelled, exception.From);
        Assert.Contains("already cancelled", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Confirm_rejected_Throws_transition_exception()
    {
        Assert.Throws<OrderTransitionException>(() => Placed().Reject("p-1", null, Now).Confirm("p-1", Now));
    }
}
