using System.Text.Json;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain.Events;

public class OrderEventSerializerTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static TheoryData<OrderEvent> EveryEvent() =>
    [
        TestOrders.PlacedEvent(),
        new PaymentCaptured("p-1", 25.10m),
        new PaymentDeclined("p-1", "card_declined"),
        new PaymentDeclined("p-1", null),
        new PaymentDeferred("payment-service answered 503"),
        new OrderConfirmed("p-1"),
        new OrderRejected("card_declined"),
        new OrderCancelled(OrderCancelled.PaymentWindowExpired),
        new PaymentRefunded("p-1", 25.10m),
        new PaymentRefunded(null, 1m),
        new PaymentMismatched("p-1", "o-1", 0m, "EUR"),
    ];

    [Fact]
    public void TypeNames_Every_event_of_the_domain()
    {
        Assert.Equal(
            ["OrderCancelled", "OrderConfirmed", "OrderPlaced", "OrderRejected", "PaymentCaptured", "PaymentDeclined", "PaymentDeferred", "PaymentMismatched", "PaymentRefunded"],
            OrderEventSerializer.TypeNames.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryEvent))]
    public void Wrap_then_unwrap_through_json_Same_event(OrderEvent orderEvent)
    {
        var envelope = OrderEventSerializer.Wrap(new RecordedOrderEvent(7, TestOrders.Start, orderEvent));
        var stored = JsonSerializer.Deserialize<OrderEventEnvelope>(JsonSerializer.Serialize(envelope, Web), Web)!;

        var read = OrderEventSerializer.Unwrap(stored);

        Assert.Equal(7, read.Sequence);
        Assert.Equal(TestOrders.Start, read.OccurredAt);
        Assert.Equal(orderEvent.GetType(), read.Event.GetType());
        Assert.Equal(JsonSerializer.Serialize(orderEvent, orderEvent.GetType(), Web), JsonSerializer.Serialize(read.Event, read.Event.GetType(), Web));
    }

    [Fact]
    public void Wrap_envelope_json_Sequence_type_time_and_camel_case_data()
    {
        var envelope = OrderEventSerializer.Wrap(new RecordedOrderEvent(2, TestOrders.Start, new PaymentCaptured("p-1", 25m)));

        var json = JsonSerializer.SerializeToElement(envelope, Web);

        Assert.Equal(2, json.GetProperty("sequence").GetInt64());
        Assert.Equal("PaymentCaptured", json.GetProperty("type").GetString());
        Assert.Equal(TestOrders.Start, json.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("p-1", json.GetProperty("data").GetProperty("paymentId").GetString());
        Assert.Equal(25m, json.GetProperty("data").GetProperty("amount").GetDecimal());
    }

    [Fact]
    public void Unwrap_unknown_type_Throws_json_exception()
    {
        var envelope = new OrderEventEnvelope(1, "OrderTeleported", TestOrders.Start, JsonSerializer.SerializeToElement(new { }));

        Assert.Throws<JsonException>(() => OrderEventSerializer.Unwrap(envelope));
    }

    [Fact]
    public void Log_through_json_Folds_to_the_same_order()
    {
        var log = TestOrders.Log("o-1", TestOrders.PlacedEvent(), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1"), new PaymentRefunded("p-1", 25m), new OrderCancelled(OrderCancelled.ByCustomer));

        var read = JsonSerializer.Deserialize<OrderLog>(JsonSerializer.SerializeToUtf8Bytes(log, Web), Web)!;

        Assert.Equal(5, read.Version);
        Assert.Equal(JsonSerializer.Serialize(log.Fold(), Web), JsonSerializer.Serialize(read.Fold(), Web));
    }
}
