using OrderService.Domain.Events;

namespace OrderService.Domain;

/// <summary>
/// An order's append-only event log as it is stored under one key: the envelopes in sequence order and the version
/// (the sequence of the last one). The order's state is its fold.
/// </summary>
public sealed record OrderLog(string OrderId, long Version, IReadOnlyList<OrderEventEnvelope> Events)
{
    public static OrderLog Empty(string orderId) => new(orderId, 0, []);

    /// <summary>The events in order, read from their envelopes.</summary>
    public IEnumerable<RecordedOrderEvent> Recorded() => Events.Select(OrderEventSerializer.Unwrap);

    /// <summary>The order now, or null when the log is empty.</summary>
    public OrderState? Fold() => OrderState.Fold(Recorded());

    /// <summary>The order as it stood at <paramref name="asOf"/> (events that occurred then or earlier), or null if it did not exist yet.</summary>
    public OrderState? FoldAsOf(DateTimeOffset asOf) => OrderState.Fold(Recorded().Where(recorded => recorded.OccurredAt <= asOf));

    /// <summary>
    /// This log with <paramref name="events"/> appended, numbered after the last one and stamped <paramref name="occurredAt"/>
    /// (never earlier than the last event, so a log's times do not go backwards), and the recorded events themselves.
    /// </summary>
    public (OrderLog Log, IReadOnlyList<RecordedOrderEvent> Appended) Append(IReadOnlyList<OrderEvent> events, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("Nothing to append.", nameof(events));
        }

        if (Events.Count > 0 && occurredAt < Events[^1].OccurredAt)
        {
            occurredAt = Events[^1].OccurredAt;
        }

        var appended = events.Select((orderEvent, i) => new RecordedOrderEvent(Version + i + 1, occurredAt, orderEvent)).ToList();
        return (this with { Version = Version + appended.Count, Events = [.. Events, .. appended.Select(OrderEventSerializer.Wrap)] }, appended);
    }
}
