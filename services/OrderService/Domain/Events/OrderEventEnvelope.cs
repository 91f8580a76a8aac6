using System.Text.Json;

namespace OrderService.Domain.Events;

/// <summary>
/// One entry of an order's log as it is stored and as <c>GET /orders/{id}/events</c> shows it: the event's place in
/// the log (from 1), its type name, when it happened, and its fields as JSON.
/// </summary>
public sealed record OrderEventEnvelope(long Sequence, string Type, DateTimeOffset OccurredAt, JsonElement Data);
