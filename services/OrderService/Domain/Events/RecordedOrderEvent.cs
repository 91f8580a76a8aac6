namespace OrderService.Domain.Events;

/// <summary>An event with its place in the log and its time: what <see cref="OrderState.Apply"/> folds.</summary>
public sealed record RecordedOrderEvent(long Sequence, DateTimeOffset OccurredAt, OrderEvent Event)
{
    public string Type => OrderEventSerializer.TypeName(Event);
}
