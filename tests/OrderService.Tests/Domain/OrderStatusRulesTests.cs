using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.Tests.Domain;

public class OrderStatusRulesTests
{
    public static TheoryData<OrderStatus, OrderStatus, bool> Transitions()
    {
        var allowed = new HashSet<(OrderStatus, OrderStatus)>
        {
            (OrderStatus.AwaitingPayment, OrderStatus.Confirmed),
            (OrderStatus.AwaitingPayment, OrderStatus.Rejected),
            (OrderStatus.AwaitingPayment, OrderStatus.Cancelled),
            (OrderStatus.Confirmed, OrderStatus.Cancelled),
        };

        var data = new TheoryData<OrderStatus, OrderStatus, bool>();
        foreach (var from in Enum.GetValues<OrderStatus>())
        {
            foreach (var to in Enum.GetValues<OrderStatus>())
            {
                data.Add(from, to, allowed.Contains((from, to)));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void CanTransition_every_pair_Only_the_documented_ones(OrderStatus from, OrderStatus to, bool expected)
    {
        Assert.Equal(expected, OrderStatusRules.CanTransition(from, to));
    }

    [Theory]
    [InlineData(OrderStatus.Rejected, true)]
    [InlineData(OrderStatus.Cancelled, true)]
    [InlineData(OrderStatus.Confirmed, false)]
    [InlineData(OrderStatus.AwaitingPayment, false)]
    public void IsFinal_status_Only_rejected_and_cancelled(OrderStatus status, bool expected)
    {
        Assert.Equal(expected, OrderStatusRules.IsFinal(status));
    }
}
