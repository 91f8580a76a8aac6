using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.Apis;

public sealed record OrderResponse(
    string OrderId,
    OrderStatus Status,
    decimal Total,
    string Currency,
    IReadOnlyList<OrderItemResponse> Items,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Reason)
{
    public static OrderResponse From(OrderState order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(
            order.OrderId,
            order.Status,
            order.Total,
            order.Currency,
            [.. order.Items.Select(item => new OrderItemResponse(item.Sku, item.Quantity, item.UnitPrice, item.LineTotal))],
            order.CreatedAt,
            order.UpdatedAt,
            order.StatusReason);
    }
}

public sealed record OrderItemResponse(string Sku, int Quantity, decimal UnitPrice, decimal LineTotal);
