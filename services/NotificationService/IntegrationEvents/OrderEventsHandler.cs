using System.Text.Json;
using DaprShop.Contracts;
using DaprShop.Contracts.Orders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NotificationService.Domain;

namespace NotificationService.IntegrationEvents;

public static class OrderEventsHandler
{
    public const string Route = "/events/orders";

    public static IEndpointRouteBuilder MapOrderEventHandlers(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapPost(Route, HandleOrderEvent)
            .WithTopic(DaprComponents.PubSub, Topics.Orders)
            .WithTags("Subscriptions")
            .WithName(nameof(HandleOrderEvent));
        return app;
    }

    /// <summary>
    /// Receives every event on topic <c>orders</c> (the CloudEvent's data, unwrapped by <c>UseCloudEvents</c>).
    /// 200 acknowledges; an event that can never be read is dropped; a failed send answers 500 so the sidecar redelivers.
    /// </summary>
    public static async Task<Results<Ok<SubscriptionReply>, ProblemHttpResult>> HandleOrderEvent(
        JsonElement body,
        NotificationDispatcher dispatcher,
        IOptions<JsonOptions> json,
        ILogger<NotificationDispatcher> logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(json);

        OrderIntegrationEvent? orderEvent;
        try
        {
            orderEvent = OrderEventTypes.Deserialize(body, json.Value.SerializerOptions);
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "Dropping an order event that cannot be read");
            return TypedResults.Ok(SubscriptionReply.Drop);
        }

        if (orderEvent is null || orderEvent.EventId == Guid.Empty)
        {
            logger.LogWarning("Ignoring an order event of unknown type or without an event id: {Body}", body.GetRawText());
            return TypedResults.Ok(SubscriptionReply.Success);
        }

        try
        {
            await dispatcher.DispatchAsync(orderEvent, cancellationToken);
            return TypedResults.Ok(SubscriptionReply.Success);
        }
        catch (NotificationSendException exception)
        {
            // Deliberately a 5xx: the sidecar redelivers the event (per the pubsub's retry policy, then to the
            // dead-letter topic), so a notification the binding could not send is retried, not lost.
            logger.LogError(exception, "Notification for event {EventId} not sent; asking the sidecar to redeliver", orderEvent.EventId);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Notification not sent",
                detail: exception.Message);
        }
    }
}

/// <summary>The body Dapr reads from a subscriber: <c>SUCCESS</c>, <c>RETRY</c> or <c>DROP</c>.</summary>
public sealed record SubscriptionReply(string Status)
{
    public static SubscriptionReply Success { get; } = new("SUCCESS");

    public static SubscriptionReply Drop { get; } = new("DROP");
}
