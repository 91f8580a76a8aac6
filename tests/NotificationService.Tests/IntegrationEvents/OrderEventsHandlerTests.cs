using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Contracts.Orders;

namespace NotificationService.Tests.IntegrationEvents;

public class OrderEventsHandlerTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Posts the event as the sidecar delivers it: a CloudEvent with the event as its data.</summary>
    private static Task<HttpResponseMessage> DeliverAsync(HttpClient client, object data)
    {
        var cloudEvent = new
        {
            id = Guid.NewGuid().ToString(),
            specversion = "1.0",
            source = "order-service",
            type = "com.dapr.event.sent",
            topic = "orders",
            pubsubname = "pubsub",
            datacontenttype = "application/json",
            data,
        };
        var content = new StringContent(JsonSerializer.Serialize(cloudEvent, Web), Encoding.UTF8, "application/cloudevents+json");
        return client.PostAsync("/events/orders", content);
    }

    [Fact]
    public async Task Subscribe_handler_Lists_orders_topic_route()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var subscriptions = await client.GetFromJsonAsync<JsonElement>("/dapr/subscribe");

        var subscription = Assert.Single(subscriptions.EnumerateArray());
        Assert.Equal("pubsub", subscription.GetProperty("pubsubName").GetString());
        Assert.Equal("orders", subscription.GetProperty("topic").GetString());
        Assert.Equal("events/orders", subscription.GetProperty("route").GetString()?.TrimStart('/'));
    }

    [Fact]
    public async Task HandleOrderEvent_confirmed_200_and_one_notification_listed()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await DeliverAsync(client, (OrderIntegrationEvent)TestEvents.Of(new OrderConfirmedIntegrationEvent()));
        var notifications = await client.GetFromJsonAsync<JsonElement>("/notifications");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notification = Assert.Single(notifications.EnumerateArray());
        Assert.Equal("OrderConfirmed", notification.GetProperty("eventType").GetString());
        Assert.Equal("email", notification.GetProperty("channel").GetString());
        Assert.Equal("o-1", notification.GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task HandleOrderEvent_redelivered_200_and_still_one_notification()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.ClientFor("u-1");
        OrderIntegrationEvent orderEvent = TestEvents.Of(new OrderRejectedIntegrationEvent());

        var first = await DeliverAsync(client, orderEvent);
        var second = await DeliverAsync(client, orderEvent);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(factory.Sender.Sent);
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/notifications")).EnumerateArray());
    }

    [Fact]
    public async Task HandleOrderEvent_submitted_200_nothing_sent()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var response = await DeliverAsync(client, (OrderIntegrationEvent)TestEvents.Of(new OrderSubmittedIntegrationEvent()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(factory.Sender.Sent);
    }

    [Fact]
    public async Task HandleOrderEvent_payment_deferred_200_nothing_sent()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var response = await DeliverAsync(client, (OrderIntegrationEvent)TestEvents.Of(new OrderPaymentDeferredIntegrationEvent(), reason: "payment-service answered 503"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(factory.Sender.Sent);
    }

    [Fact]
    public async Task HandleOrderEvent_cloud_event_from_the_outbox_One_notification()
    {
        // What daprd's transactional outbox publishes for order-service's projection (metadata contentType:
        // application/json): its own id and trace fields around the integration event as JSON data.
        await using var factory = new NotificationServiceFactory();
        using var client = factory.ClientFor("u-1");
        var cloudEvent = new Dictionary<string, object?>
        {
            ["id"] = $"outbox-{Guid.NewGuid()}",
            ["specversion"] = "1.0",
            ["source"] = "order-service",
            ["type"] = "com.dapr.event.sent",
            ["topic"] = "orders",
            ["pubsubname"] = "pubsub",
            ["datacontenttype"] = "application/json",
            ["traceid"] = "00-00000000000000000000000000000000-0000000000000000-00",
            ["traceparent"] = "00-00000000000000000000000000000000-0000000000000000-00",
            ["tracestate"] = "",
            ["data"] = (OrderIntegrationEvent)TestEvents.Of(new OrderCancelledIntegrationEvent(), reason: "payment window expired"),
        };
        using var content = new StringContent(JsonSerializer.Serialize(cloudEvent, Web), Encoding.UTF8, "application/cloudevents+json");

        var response = await client.PostAsync("/events/orders", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notification = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/notifications")).EnumerateArray());
        Assert.Equal("OrderCancelled", notification.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task HandleOrderEvent_binding_fails_500_so_sidecar_redelivers()
    {
        await using var factory = new NotificationServiceFactory();
        factory.Sender.Failing = true;
        using var client = factory.CreateClient();

        var response = await DeliverAsync(client, (OrderIntegrationEvent)TestEvents.Of(new OrderConfirmedIntegrationEvent()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HandleOrderEvent_unreadable_event_200_drop()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var response = await DeliverAsync(client, new { eventType = "OrderConfirmed", total = "lots" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DROP", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task HandleOrderEvent_unknown_type_200_nothing_sent()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var response = await DeliverAsync(client, new { eventType = "OrderShipped", eventId = Guid.NewGuid() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(factory.Sender.Sent);
    }
}
