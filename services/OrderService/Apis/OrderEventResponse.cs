using System.Text.Json;
using OrderService.Domain.Events;

namespace OrderService.Apis;

/// <summary>One entry of <c>GET /orders/{orderId}/events</c>: the event's place in the log, its type, when it happened, and its fields.</summary>
public sealed record OrderEventResponse(long Sequence, string Type, DateTimeOffset OccurredAt, JsonElement Data)
{
    public static OrderEventResponse From(OrderEventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new(envelope.Sequence, envelope.Type, envelope.OccurredAt, envelope.Data);
    }
}
