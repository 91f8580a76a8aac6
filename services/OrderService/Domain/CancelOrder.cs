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
    PaymentUnavailable,
}

public sealed record CancellationOutcome(CancellationOutcomeKind Kind, OrderState? Order = null, string? Detail = null);
