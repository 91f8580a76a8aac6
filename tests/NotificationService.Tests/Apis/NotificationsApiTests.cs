using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.Contracts.Orders;
using Microsoft.Extensions.DependencyInjection;
using NotificationService.Domain;

namespace NotificationService.Tests.Apis;

public class NotificationsApiTests
{
    [Fact]
    public async Task ListNotifications_without_identity_401_problem_details()
    {
        await using var factory = new NotificationServiceFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/notifications");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListNotifications_other_users_notifications_Not_listed()
    {
        await using var factory = new NotificationServiceFactory();
        var dispatcher = factory.Services.GetRequiredService<NotificationDispatcher>();
        await dispatcher.DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent(), userId: "u-1"), CancellationToken.None);
        using var client = factory.ClientFor("u-2");

        var notifications = await client.GetFromJsonAsync<JsonElement>("/notifications");

        Assert.Equal(0, notifications.GetArrayLength());
    }

    [Fact]
    public async Task ListNotifications_own_Shape_is_public_contract()
    {
        await using var factory = new NotificationServiceFactory();
        var dispatcher = factory.Services.GetRequiredService<NotificationDispatcher>();
        await dispatcher.DispatchAsync(TestEvents.Of(new OrderCancelledIntegrationEvent()), CancellationToken.None);
        using var client = factory.ClientFor("u-1");

        var notification = (await client.GetFromJsonAsync<JsonElement>("/notifications"))[0];

        Assert.Equal(
            ["channel", "eventType", "message", "notificationId", "orderId", "sentAt", "subject"],
            notification.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
