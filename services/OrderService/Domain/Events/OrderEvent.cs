namespace OrderService.Domain.Events;

/// <summary>
/// Something that happened to an order, named in the past tense. The order's log stores each one in an
/// <see cref="OrderEventEnvelope"/> (sequence, type, time, data); its current state is their fold, <see cref="OrderState"/>.
/// </summary>
public abstract record OrderEvent;
