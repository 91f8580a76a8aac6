namespace DaprShop.Sidecar.PubSub;

/// <summary>How one attempt to deliver an event to the app ended, as daprd's HTTP postman reads the app's answer.</summary>
public enum DeliveryStatus
{
    /// <summary>A 2xx with an empty or unparsable body, no <c>status</c>, or <c>"SUCCESS"</c>.</summary>
    Success,

    /// <summary><c>"RETRY"</c>, an unknown status, a status code other than 2xx and 404, or the app unreachable.</summary>
    Retry,

    /// <summary><c>"DROP"</c> or 404: the event is not delivered again (it goes to the dead-letter topic when there is one).</summary>
    Drop,
}

/// <summary>The outcome of one delivery attempt, with the app's status code when it answered.</summary>
public sealed record DeliveryResult(DeliveryStatus Status, int? StatusCode, string Reason)
{
    public static DeliveryResult Delivered { get; } = new(DeliveryStatus.Success, 200, "delivered");
}

/// <summary>One event on its way to the app, for an <see cref="IInboundDeliveryPolicy"/>.</summary>
public sealed class InboundDelivery(string pubsubName, string topic, string? eventId, Func<CancellationToken, Task<DeliveryResult>> attempt)
{
    public string PubsubName { get; } = pubsubName;

    public string Topic { get; } = topic;

    public string? EventId { get; } = eventId;

    /// <summary>One delivery attempt to the app. Safe to call again: each call posts the event anew.</summary>
    public Task<DeliveryResult> AttemptAsync(CancellationToken cancellationToken) => attempt(cancellationToken);
}

/// <summary>
/// What the subscriber's sidecar wraps around delivering an event to its app: the seam for the
/// resiliency <c>inbound</c> policy of a pub/sub component (timeouts, retries, a circuit breaker),
/// as daprd runs <c>postman.Deliver</c> inside <c>ComponentInboundPolicy</c>. An implementation
/// calls <see cref="InboundDelivery.AttemptAsync"/> until it accepts the outcome; a
/// <see cref="DeliveryStatus.Drop"/> counts as handled and is not retried; the last result decides
/// what happens next (a <see cref="DeliveryStatus.Retry"/> goes to the dead-letter topic when
/// there is one, or back to the component's own redelivery). A singleton of the sidecar's
/// services; the default (<see cref="SingleAttemptDeliveryPolicy"/>) makes one attempt, and a
/// resiliency building block swaps it with <c>services.Replace</c> or registers its own before
/// pub/sub does (the default is added with <c>TryAdd</c>).
/// </summary>
public interface IInboundDeliveryPolicy
{
    Task<DeliveryResult> ExecuteAsync(InboundDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>No policy: one attempt per handler call, as daprd delivers without a resiliency policy.</summary>
public sealed class SingleAttemptDeliveryPolicy : IInboundDeliveryPolicy
{
    public Task<DeliveryResult> ExecuteAsync(InboundDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.AttemptAsync(cancellationToken);
    }
}
