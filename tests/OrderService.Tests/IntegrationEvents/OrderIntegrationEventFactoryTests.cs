using System.Text.Json;
using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.IntegrationEvents;

namespace OrderService.Tests.IntegrationEvents;

public class OrderIntegrationEventFactoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static Order Placed() => Order.Place("o-1", "u-1", "u-1@example.com", [new OrderLine("sku", 2, 3.5m)], "EUR", "tok_visa", Now);

    public static TheoryData<string, Type> Cases() => new()
    {
        { "submitted", typeof(OrderSubmitted) },
        { "confirmed", typeof(OrderConfirmed) },
        { "rejected", typeof(OrderRejected) },
        { "cancelled", typeof(OrderCancelled) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void For_status_Matching_event_type(string state, Type expected)
    {
        var order = state switch
        {
            "confirmed" => Placed().Confirm("p-1", Now),
            "rejected" => Placed().Reject("p-1", "card_declined", Now),
            "cancelled" => Placed().Cancel(Now),
            _ => Placed(),
        };

        var integrationEvent = OrderIntegrationEventFactory.For(order, Guid.NewGuid(), Now);

        Assert.IsType(expected, integrationEvent);
        Assert.Equal(expected.Name, integrationEvent.EventType);
        Assert.Equal(order.Status, integrationEvent.Status);
    }

    [Fact]
    public void For_order_Carries_order_fields()
    {
        var eventId = Guid.NewGuid();

        var integrationEvent = OrderIntegrationEventFactory.For(Placed().Reject("p-1", "card_declined", Now), eventId, Now.AddSeconds(5));

        Assert.Equal(eventId, integrationEvent.EventId);
        Assert.Equal("o-1", integrationEvent.OrderId);
        Assert.Equal("u-1", integrationEvent.UserId);
        Assert.Equal("u-1@example.com", integrationEvent.UserEmail);
        Assert.Equal(7m, integrationEvent.Total);
        Assert.Equal("EUR", integrationEvent.Currency);
        Assert.Equal(Now.AddSeconds(5), integrationEvent.OccurredAt);
        Assert.Equal("card_declined", integrationEvent.Reason);
    }

    [Fact]
    public void Serialize_as_base_type_Camel_case_with_event_type_and_string_status()
    {
        var integrationEvent = OrderIntegrationEventFactory.For(Placed().Confirm("p-1", Now), Guid.NewGuid(), Now);

        var json = JsonSerializer.SerializeToElement<OrderIntegrationEvent>(integrationEvent, Web);

        Assert.Equal("OrderConfirmed", json.GetProperty("eventType").GetString());
        Assert.Equal("Confirmed", json.GetProperty("status").GetString());
        Assert.Equal("o-1", json.GetProperty("orderId").GetString());
        Assert.Equal(7m, json.GetProperty("total").GetDecimal());
    }

    [Fact]
    public void Deserialize_published_json_Same_event()
    {
        var published = OrderIntegrationEventFactory.For(Placed().Cancel(Now), Guid.NewGuid(), Now);
        var json = JsonSerializer.SerializeToElement<OrderIntegrationEvent>(published, Web);

        var read = OrderEventTypes.Deserialize(json, Web);

        Assert.Equal(published, read);
    }
}
