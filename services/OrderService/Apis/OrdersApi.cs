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

        group.MapPost("/", CreateOrder).WithName(nameof(CreateOrder))
            .WithSummary("Places an order (201 when payment settled it, 202 while it awaits payment)");
        group.MapGet("/{orderId}", GetOrder).WithName(nameof(GetOrder))
            .WithSummary("The order now, or as it stood at ?asOf=<RFC 3339 time>");
        group.MapGet("/{orderId}/events", GetOrderEvents).WithName(nameof(GetOrderEvents))
            .WithSummary("The order's event log: [{sequence, type, occurredAt, data}]");
        group.MapGet("/", ListOrders).WithName(nameof(ListOrders))
            .WithSummary("The caller's orders, newest first");
        group.MapPost("/{orderId}/cancel", CancelOrder).WithName(nameof(CancelOrder))
            .WithSummary("Cancels the caller's order, refunding a captured payment");

        return group;
    }

    /// <summary>
    /// Places an order: 201 when payment settled it at once (<c>Confirmed</c> or <c>Rejected</c>), 202 while it awaits payment.
    /// The same <c>Idempotency-Key</c> from the same user reaches the same order's actor: the same order, never a second charge;
    /// with a different body (lines, currency or payment method) it is 422 and nothing is placed.
    /// </summary>
    public static async Task<Results<Created<OrderResponse>, Accepted<OrderResponse>, ValidationProblem, ProblemHttpResult>> CreateOrder(
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

        var placed = await services.Actors.ForOrder(command.OrderId()).PlaceAsync(command, cancellationToken);
        if (placed.KeyReused)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Idempotency-Key already used",
                detail: $"This {IdempotencyKeyHeader} was used for order '{placed.Order.OrderId}' with other items, currency or payment method; use a new key for a new order.");
        }

        var body = OrderResponse.From(placed.Order);
        var location = $"/orders/{Uri.EscapeDataString(placed.Order.OrderId)}";

        return placed.Order.Status == OrderStatus.AwaitingPayment
            ? TypedResults.Accepted(location, body)
            : TypedResults.Created(location, body);
    }

    /// <summary>
    /// The order, for its owner or an admin; 404 for anyone else, as for an order that does not exist. With
    /// <c>asOf</c>, the fold of the events that occurred at or before that time (404 if the order did not exist yet).
    /// </summary>
    public static async Task<Results<Ok<OrderResponse>, ValidationProblem, ProblemHttpResult>> GetOrder(
        string orderId,
        [FromQuery] string? asOf,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return MalformedOrderId();
        }

        DateTimeOffset? time = null;
        if (asOf is not null)
        {
            if (!Rfc3339.TryParse(asOf, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["asOf"] = [$"'{asOf}' is not an RFC 3339 time such as 2025-05-06T07:08:09Z (in a URL, write a + offset as %2B)."],
                });
            }

            time = parsed;
        }

        var view = await services.Queries.GetAsync(orderId, time, cancellationToken);
        if (view is null || !MayRead(user, view.Current))
        {
            return OrderNotFound(orderId);
        }

        return view.AsOf is { } order
            ? TypedResults.Ok(OrderResponse.From(order))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"Order '{orderId}' did not exist yet at {asOf}.");
    }

    /// <summary>The order's event log, oldest first, for its owner or an admin; 404 for anyone else.</summary>
    public static async Task<Results<Ok<List<OrderEventResponse>>, ProblemHttpResult>> GetOrderEvents(
        string orderId,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return MalformedOrderId();
        }

        var history = await services.Queries.GetEventsAsync(orderId, cancellationToken);
        return history is { } found && MayRead(user, found.Order)
            ? TypedResults.Ok(found.Events.Select(OrderEventResponse.From).ToList())
            : OrderNotFound(orderId);
    }

    /// <summary>The caller's orders, newest first.</summary>
    public static async Task<Ok<List<OrderResponse>>> ListOrders(
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        var orders = await services.Queries.ListByUserAsync(user.GetUserId(), cancellationToken);
        return TypedResults.Ok(orders.Select(OrderResponse.From).ToList());
    }

    /// <summary>
    /// Cancels the caller's order, refunding a captured payment; 409 when it is already cancelled or was rejected. When
    /// payment cannot answer the refund now: 202 with the order as it still is, and the cancellation completes on its own.
    /// </summary>
    public static async Task<Results<Ok<OrderResponse>, Accepted<OrderResponse>, ProblemHttpResult>> CancelOrder(
        string orderId,
        ClaimsPrincipal user,
        [AsParameters] OrderServices services,
        CancellationToken cancellationToken)
    {
        if (!OrderIds.IsWellFormed(orderId))
        {
            return MalformedOrderId();
        }

        // Read first, so that someone else's order answers 404 without waking its actor.
        var view = await services.Queries.GetAsync(orderId, asOf: null, cancellationToken);
        if (view is null || !MayRead(user, view.Current))
        {
            return OrderNotFound(orderId);
        }

        var outcome = await services.Actors.ForOrder(orderId).CancelAsync(new CancelOrder(user.GetUserId()), cancellationToken);
        return outcome.Kind switch
        {
            CancellationOutcomeKind.Cancelled => TypedResults.Ok(OrderResponse.From(outcome.Order!)),
            CancellationOutcomeKind.NotFound => OrderNotFound(orderId),
            CancellationOutcomeKind.NotOwner => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not the order's owner", detail: outcome.Detail),
            CancellationOutcomeKind.NotCancellable => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Order cannot be cancelled", detail: outcome.Detail),
            CancellationOutcomeKind.Pending => TypedResults.Accepted($"/orders/{Uri.EscapeDataString(orderId)}", OrderResponse.From(outcome.Order!)),
            _ => throw new InvalidOperationException($"Unknown cancellation outcome {outcome.Kind}."),
        };
    }

    private static bool MayRead(ClaimsPrincipal user, OrderState order) => order.IsOwnedBy(user.GetUserId()) || user.IsAdmin();

    /// <summary>404 as for any order that does not exist; checked first so that such an id reaches neither the store nor an actor.</summary>
    private static ProblemHttpResult MalformedOrderId() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: "That is not an order id: order ids are UUIDs such as 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.");

    private static ProblemHttpResult OrderNotFound(string orderId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order '{orderId}' for this user.");
}
