using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class OrderLogTests
{
    private static readonly DateTimeOffset T0 = TestOrders.Start;

    private static OrderLog PaidLog() =>
        TestOrders.Log("o-1", TestOrders.PlacedEvent(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"));

    [Fact]
    public void Append_events_Numbered_after_the_last_with_one_time()
    {
        var (log, appended) = TestOrders.Log("o-1", TestOrders.PlacedEvent())
            .Append([new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1")], T0.AddMinutes(1));

        Assert.Equal(3, log.Version);
        Assert.Equal([1L, 2L, 3L], log.Events.Select(e => e.Sequence));
        Assert.Equal([2L, 3L], appended.Select(e => e.Sequence));
        Assert.All(appended, e => Assert.Equal(T0.AddMinutes(1), e.OccurredAt));
    }

    [Fact]
    public void Append_at_an_earlier_time_Keeps_the_last_time()
    {
        var (log, _) = TestOrders.Log("o-1", TestOrders.PlacedEvent()).Append([new PaymentDeferred("down")], T0.AddSeconds(-5));

        Assert.Equal(T0, log.Events[^1].OccurredAt);
    }

    [Fact]
    public void Append_nothing_Throws()
    {
        Assert.Throws<ArgumentException>(() => OrderLog.Empty("o-1").Append([], T0));
    }

    [Fact]
    public void FoldAsOf_before_placement_Null()
    {
        Assert.Null(PaidLog().FoldAsOf(T0.AddTicks(-1)));
    }

    [Fact]
    public void FoldAsOf_placement_time_AwaitingPayment()
    {
        Assert.Equal(OrderStatus.AwaitingPayment, PaidLog().FoldAsOf(T0)?.Status);
    }

    [Fact]
    public void FoldAsOf_between_capture_and_confirmation_AwaitingPayment_captured()
    {
        var order = PaidLog().FoldAsOf(T0.AddSeconds(1.5));

        Assert.Equal(OrderStatus.AwaitingPayment, order?.Status);
        Assert.True(order?.PaymentCaptured);
    }

    [Fact]
    public void FoldAsOf_confirmation_time_or_later_Confirmed_as_now()
    {
        var log = PaidLog();

        Assert.Equal(OrderStatus.Confirmed, log.FoldAsOf(T0.AddSeconds(2))?.Status);
        Assert.Equal(log.Fold()!.Version, log.FoldAsOf(DateTimeOffset.MaxValue)?.Version);
    }

    [Fact]
    public void FoldAsOf_other_offset_Same_instant_same_answer()
    {
        var inParis = T0.ToOffset(TimeSpan.FromHours(2));

        Assert.Equal(OrderStatus.AwaitingPayment, PaidLog().FoldAsOf(inParis)?.Status);
    }
}
