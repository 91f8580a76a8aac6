namespace OrderService.Actors;

/// <summary>Reaches an order's actor by the order id.</summary>
public interface IOrderActors
{
    IOrderActor ForOrder(string orderId);
}
