using System.Text.Json;

namespace DaprShop.Contracts.Orders;

/// <summary>
/// The values of <see cref="OrderIntegrationEvent.EventType"/> and the record type of each. The values are the names on
/// the wire (the <c>eventType</c> of each published event and of each stored notification), written out rather than
/// taken from the record names, so that renaming a record changes nothing a subscriber or a store has seen.
/// </summary>
public static class OrderEventTypes
{
    public const string OrderSubmitted = "OrderSubmitted";

    public const string OrderConfirmed = "OrderConfirmed";

    public const string OrderRejected = "OrderRejected";

    public const string OrderPaymentDeferred = "OrderPaymentDeferred";

    public const string OrderCancelled = "OrderCancelled";

    private static readonly Dictionary<string, Type> TypesByName = new(StringComparer.Ordinal)
    {
        [OrderSubmitted] = typeof(OrderSubmittedIntegrationEvent),
        [OrderConfirmed] = typeof(OrderConfirmedIntegrationEvent),
        [OrderRejected] = typeof(OrderRejectedIntegrationEvent),
        [OrderPaymentDeferred] = typeof(OrderPaymentDeferredIntegrationEvent),
        [OrderCancelled] = typeof(OrderCancelledIntegrationEvent),
    };

    /// <summary>The record type for an event type name, or null for a name this version does not know.</summary>
    public static Type? Resolve(string eventType) => TypesByName.GetValueOrDefault(eventType);

    /// <summary>
    /// Reads an event published to <see cref="Topics.Orders"/>: its <c>eventType</c> picks the record type.
    /// Returns null when the type is unknown; throws <see cref="JsonException"/> when the JSON does not fit.
    /// </summary>
    public static OrderIntegrationEvent? Deserialize(JsonElement json, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("An order event must be a JSON object.");
        }

        var eventType = FindProperty(json, "eventType");
        if (eventType is not { ValueKind: JsonValueKind.String })
        {
            throw new JsonException("An order event must have a string 'eventType'.");
        }

        return Resolve(eventType.Value.GetString()!) is { } type
            ? (OrderIntegrationEvent?)json.Deserialize(type, options)
            : null;
    }

    private static JsonElement? FindProperty(JsonElement json, string name)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
