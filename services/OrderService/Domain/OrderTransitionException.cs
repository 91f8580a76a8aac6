using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>A command asked for a status change that <see cref="OrderStatusRules"/> does not allow.</summary>
public sealed class OrderTransitionException : Exception
{
    public OrderTransitionException()
    {
    }

    public OrderTransitionException(string message)
        : base(message)
    {
    }

    public OrderTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OrderTransitionException(OrderStatus from, OrderStatus to)
        : base(OrderStatusRules.Explain(from, to))
    {
        From = from;
        To = to;
    }

    public OrderStatus From { get; }

    public OrderStatus To { get; }
}
