using System.Text.Json;

namespace OrderService.Domain.Events;

/// <summary>Turns events into log envelopes and back. The type name in the envelope is the event's record name.</summary>
public static class OrderEventSerializer
{
    private static readonly Dictionary<string, Type> TypesByName = new Type[]
    {
        typeof(OrderPlaced),
        typeof(PaymentCaptured),
        typeof(PaymentDeclined),
        typeof(PaymentDeferred),
        typeof(OrderConfirmed),
        typeof(OrderRejected),
        typeof(OrderCancelled),
        typeof(PaymentRefunded),
        typeof(PaymentMismatched),
    }.ToDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>camelCase JSON, as the rest of the API.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static IReadOnlyCollection<string> TypeNames => TypesByName.Keys;

    public static string TypeName(OrderEvent orderEvent)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        return orderEvent.GetType().Name;
    }

    public static OrderEventEnvelope Wrap(RecordedOrderEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return new OrderEventEnvelope(
            recorded.Sequence,
            recorded.Type,
            recorded.OccurredAt,
            JsonSerializer.SerializeToElement(recorded.Event, recorded.Event.GetType(), Options));
    }

    /// <summary>The event in <paramref name="envelope"/>; throws <see cref="JsonException"/> for a type or data this version cannot read.</summary>
    public static RecordedOrderEvent Unwrap(OrderEventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);

        if (!TypesByName.TryGetValue(envelope.Type, out var type))
        {
            throw new JsonException($"Unknown order event type '{envelope.Type}' at sequence {envelope.Sequence}.");
        }

        var orderEvent = (OrderEvent?)envelope.Data.Deserialize(type, Options)
            ?? throw new JsonException($"Order event {envelope.Type} at sequence {envelope.Sequence} has no data.");
        return new RecordedOrderEvent(envelope.Sequence, envelope.OccurredAt, orderEvent);
    }
}
