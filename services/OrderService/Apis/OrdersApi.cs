using System.Security.Claims;
using DaprShop.Contracts.Orders;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrderService.Domain;

namespace OrderService.Apis;

public static class OrdersApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var group = app.MapGroup("/orders")
            .WithTags("Orders")
            .RequireAuthorization();

        group.MapPost("/", CreateOrder).WithName(nameof(CreateOrder));
        group.MapGet("/{orderId}", GetOrder).WithName(nameof(GetOrder));
        group.MapGet("/", ListOrders).WithName(nameof(ListOrders));
        group.MapPost("/{orderId}/cancel", CancelOrder).WithName(nameof(CancelOrder));

        return group;
    }

    /// <summary>
    /// Places an order: 201 when payment settled it at once (<c>Confirmed</c> or <c>Rejected</c>), 202 while it awaits payment.
    /// The same <c>Idempotency-Key</c> from the same user returns the same order and never pays twice.
    /// </summary>
    public static async Task<Results<Created<OrderResponse>, Accepted<OrderResponse>, ValidationProblem>> CreateOrder(
        CreateOrderRequest request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (idempotencyKey is not null && !OrderIds.IsValidIdempotencyKey(idempotencyKey))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {OrderIds.MaxIdempotencyKeyLength} printable ASCII characters."],
            });
        }

        var command = new PlaceOrder(
            user.GetUserId(),
            user.GetEmail(),
            idempotencyKey,
            [.. request.Items!.Select(item => new OrderLine(item.Sku!.Trim(), item.Quantity!.Value, item.UnitPrice!.Value))],
            request.Currency!,
            request.PaymentMethod!.Trim());

        var placed = await services.Placement.PlaceAsync(command, cancellationToken);
        var body = OrderResponse.From(placed.Order);
        var location = $"/orders/{Uri.EscapeDataString(placed.Order.OrderId)}";

        return placed.Order.Status == OrderStatus.AwaitingPayment
            ? TypedResults.Accepted(location, body)
            : TypedResults.Created(location, body);
    }

    /// <summary>The order, for its owner or an admin; 404 for anyone else, as for an order that does not exist.</summary>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetOrder(
        string orderId,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        var order = await services.Orders.GetAsync(orderId, cancellationToken);
        return order is not null && (order.IsOwnedBy(user.GetUserId()) || user.IsAdmin())
            ? TypedResults.Ok(OrderResponse.From(order))
            : OrderNotFound(orderId);
    }

    /// <summary>The caller's orders, newest first.</summary>
    public static async Task<Ok<List<OrderResponse>>> ListOrders(
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        var orders = await services.Orders.ListByUserAsync(user.GetUserId(), cancellationToken);
        return TypedResults.Ok(orders.Select(OrderResponse.From).ToList());
    }

    /// <summary>Cancels the caller's order, refunding a captured payment; 409 when it is already cancelled or was rejected.</summary>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> CancelOrder(
        string orderId,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        var outcome = await services.Cancellation.CancelAsync(orderId, user, cancellationToken);
        return outcome.Kind switch
        {
            CancellationOutcomeKind.Cancelled => TypedResults.Ok(OrderResponse.From(outcome.Order!)),
            CancellationOutcomeKind.NotFound => OrderNotFound(orderId),
            CancellationOutcomeKind.NotOwner => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not the order's owner", detail: outcome.Detail),
            CancellationOutcomeKind.NotCancellable => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Order cannot be cancelled", detail: outcome.Detail),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Payment unavailable", detail: outcome.Detail),
        };
    }

    private static ProblemHttpResult OrderNotFound(string orderId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order '{orderId}' for this user.");
}
