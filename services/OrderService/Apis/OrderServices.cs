using OrderService.Domain;

namespace OrderService.Apis;

public sealed record OrderServices(
    IOrderRepository Orders,
    OrderPlacement Placement,
    OrderCancellation Cancellation,
    ILogger<OrderServices> Logger);
