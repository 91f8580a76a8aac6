using Dapr.Actors;
using OrderService.Domain;

namespace OrderService.Actors;

/// <summary>
/// One order, as a Dapr actor whose id is the order id. Dapr runs one call at a time per order, so each command
/// reads, decides and saves without racing another command on the same order.
/// </summary>
public interface IOrderActor : IActor
{
    /// <summary>
    /// Places the order and settles its payment. When the order exists already (the same user and idempotency key),
    /// returns it; if it still awaits payment, asks payment again (idempotent by order id, so never a second charge).
    /// </summary>
    Task<PlacementResult> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken);

    /// <summary>Cancels the order for its owner, refunding a captured payment first.</summary>
    Task<CancellationOutcome> CancelAsync(CancelOrder command, CancellationToken cancellationToken);
}
