using System.Text.Json;
using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.IntegrationEvents;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.IntegrationEvents;

public class OrderIntegrationEventFactoryTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static OrderIntegrationEvent ForLogOf(params OrderEvent[] events)
    {
        var log = TestOrders.Log("o-1", events);
        return OrderIntegrationEventFactory.For(log.Fold()!, log.Recorded().Last());
    }

    /// <summary>Each change, the record it publishes and that record's <c>eventType</c> on the wire, written out.</summary>
    public static TheoryData<string, Type, string> Cases() => new()
    {
        { "placed", typeof(OrderSubmittedIntegrationEvent), "OrderSubmitted" },
        { "deferred", typeof(OrderPaymentDeferredIntegrationEvent), "OrderPaymentDeferred" },
        { "confirmed", typeof(OrderConfirmedIntegrationEvent), "OrderConfirmed" },
        { "rejected", typeof(OrderRejectedIntegrationEvent), "OrderRejected" },
        { "cancelled", typeof(OrderCancelledIntegrationEvent), "OrderCancelled" },
    };

    private static OrderIntegrationEvent ForChange(string change) => change switch
    {
        "deferred" => ForLogOf(TestOrders.PlacedEvent(), new PaymentDeferred("payment-service answered 503")),
        "confirmed" => ForLogOf(TestOrders.PlacedEvent(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1")),
        "rejected" => ForLogOf(TestOrders.PlacedEvent(), new PaymentDeclined("p-1", "card_declined"), new OrderRejected("card_declined")),
        "cancelled" => ForLogOf(TestOrders.PlacedEvent(), new PaymentDeferred("down"), new OrderCancelled("payment window expired")),
        _ => ForLogOf(TestOrders.PlacedEvent()),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void For_change_Event_named_by_its_last_event(string change, Type expected, string eventType)
    {
        var integrationEvent = ForChange(change);

        Assert.IsType(expected, integrationEvent);
        Assert.Equal(eventType, integrationEvent.EventType);
        Assert.Equal(expected, OrderEventTypes.Resolve(eventType));
    }

    [Fact]
    public void For_payment_captured_without_confirmation_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => ForLogOf(TestOrders.PlacedEvent(), new PaymentCaptured("p-1", 25m)));
    }

    [Fact]
    public void For_rejection_Carries_order_fields_and_reason()
    {
        var integrationEvent = ForChange("rejected");

        Assert.Equal("o-1", integrationEvent.OrderId);
        Assert.Equal("u-1", integrationEvent.UserId);
        Assert.Equal("u-1@example.com", integrationEvent.UserEmail);
        Assert.Equal(OrderStatus.Rejected, integrationEvent.Status);
        Assert.Equal(25m, integrationEvent.Total);
        Assert.Equal("EUR", integrationEvent.Currency);
        Assert.Equal(TestOrders.Start.AddSeconds(2), integrationEvent.OccurredAt);
        Assert.Equal("card_declined", integrationEvent.Reason);
    }

    [Fact]
    public void For_confirmation_No_reason()
    {
        Assert.Null(ForChange("confirmed").Reason);
        Assert.Equal("payment window expired", ForChange("cancelled").Reason);
        Assert.Equal("payment-service answered 503", ForChange("deferred").Reason);
    }

    [Fact]
    public void EventId_Same_change_same_id_other_change_other_id()
    {
        Assert.Equal(ForChange("confirmed").EventId, ForChange("confirmed").EventId);
        Assert.NotEqual(OrderIntegrationEventFactory.EventId("o-1", 1), OrderIntegrationEventFactory.EventId("o-1", 3));
        Assert.NotEqual(OrderIntegrationEventFactory.EventId("o-1", 3), OrderIntegrationEventFactory.EventId("o-2", 3));
        Assert.Equal(8, OrderIntegrationEventFactory.EventId("o-1", 3).Version);
    }

    [Fact]
    public void Serialize_as_base_type_Camel_case_with_event_type_and_string_status()
    {
        var json = JsonSerializer.SerializeToElement(ForChange("confirmed"), Web);

        Assert.Equal("OrderConfirmed", json.GetProperty("eventType").GetString());
        Assert.Equal("Confirmed", json.GetProperty("status").GetString());
        Assert.Equal("o-1", json.GetProperty("orderId").GetString());
        Assert.Equal(25m, json.GetProperty("total").GetDecimal());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Deserialize_published_json_Same_event(string change, Type expected, string eventType)
    {
        var published = ForChange(change);
        var json = JsonSerializer.SerializeToElement(published, Web);
        Assert.Equal(eventType, json.GetProperty("eventType").GetString());

        var read = OrderEventTypes.Deserialize(json, Web);

        Assert.IsType(expected, read);
        Assert.Equal(published, read);
    }
}
