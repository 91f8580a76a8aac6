using OrderService.Actors;
using OrderService.Domain;

namespace OrderService.Apis;

public sealed record OrderServices(
    IOrderActors Actors,
    OrderQueries Queries,
    ILogger<OrderServices> Logger);
