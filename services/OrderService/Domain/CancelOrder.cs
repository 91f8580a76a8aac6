using System.Text.Json.Serialization;

namespace OrderService.Domain;

/// <summary>The command to cancel an order, on behalf of <see cref="UserId"/> (only the owner may).</summary>
public sealed record CancelOrder(string UserId);

[JsonConverter(typeof(JsonStringEnumConverter<CancellationOutcomeKind>))]
public enum CancellationOutcomeKind
{
    Cancelled,
    NotFound,
    NotOwner,
    NotCancellable,

    /// <summary>
    /// Payment did not answer the refund; the order is unchanged for now and its <c>cancel-order</c> reminder completes
    /// the cancellation once payment answers (the refund may already have gone through).
    /// </summary>
    Pending,
}

public sealed record CancellationOutcome(CancellationOutcomeKind Kind, OrderState? Order = null, string? Detail = null);
