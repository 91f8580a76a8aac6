using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>The order flow through the public API: gateway → order → payment → pub/sub → notification.</summary>
[Collection(ShopDefinition.Name)]
public sealed class EmbeddedOrderFlowTests(ShopFixture shop) : OrderFlowTests(shop);

[Collection(RedisShopDefinition.Name)]
public sealed class RedisOrderFlowTests(RedisShopFixture shop) : OrderFlowTests(shop);

[Collection(PostgresShopDefinition.Name)]
public sealed class PostgresOrderFlowTests(PostgresShopFixture shop) : OrderFlowTests(shop);

public abstract class OrderFlowTests(ShopFixture shop)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlaceOrder_with_good_card_is_confirmed_and_notified_once()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var placed = await shopper.PlaceOrderAsync("tok_visa", idempotencyKey: Guid.NewGuid().ToString());
        var order = await Expect.JsonAsync(placed, 201);
        var orderId = order["orderId"]!.GetValue<string>();

        Assert.Equal("Confirmed", order["status"]!.GetValue<string>());
        Assert.Equal(25.00m, order["total"]!.GetValue<decimal>());
        Assert.Equal("Confirmed", (await shopper.GetJsonAsync($"/api/orders/{orderId}"))["status"]!.GetValue<string>());
        var notifications = await Eventually.WaitAsync(
            () => NotificationsForAsync(shopper, orderId),
            n => n.Count >= 1,
            Settle,
            $"a notification for order {orderId}");
        Assert.Single(notifications);
        Assert.Equal("OrderConfirmed", notifications[0]["eventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlaceOrder_with_declined_card_is_rejected()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var placed = await shopper.PlaceOrderAsync("tok_decline");
        var order = await Expect.JsonAsync(placed, 201);

        Assert.Equal("Rejected", order["status"]!.GetValue<string>());
        var orderId = order["orderId"]!.GetValue<string>();
        var notifications = await Eventually.WaitAsync(
            () => NotificationsForAsync(shopper, orderId),
            n => n.Count >= 1,
            Settle,
            $"a notification for rejected order {orderId}");
        Assert.Equal("OrderRejected", Assert.Single(notifications)["eventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlaceOrder_same_idempotency_key_twice_makes_one_order_and_one_payment()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var key = Guid.NewGuid().ToString();

        using var first = await shopper.PlaceOrderAsync("tok_visa", key);
        using var second = await shopper.PlaceOrderAsync("tok_visa", key);
        var firstOrder = await Expect.JsonAsync(first, 201);
        var secondBody = await second.Content.ReadAsStringAsync();
        var secondOrder = JsonNode.Parse(secondBody)!;

        Assert.True(second.IsSuccessStatusCode, secondBody);
        var orderId = firstOrder["orderId"]!.GetValue<string>();
        Assert.Equal(orderId, secondOrder["orderId"]!.GetValue<string>());
        var orders = (await shopper.GetJsonAsync("/api/orders")).AsArray();
        Assert.Single(orders, o => o!["orderId"]!.GetValue<string>() == orderId);
        Assert.Single(orders);
        using var payment = shop.Sidecar("payment-service");
        // One payment per order id by construction (insert-only key); the order's only capture is that payment.
        var stored = await payment.GetFromJsonAsync<JsonObject>($"/v1.0/invoke/payment-service/method/payments/{orderId}");
        var events = (await shopper.GetJsonAsync($"/api/orders/{orderId}/events")).AsArray();
        var capture = Assert.Single(events, e => e!["type"]!.GetValue<string>() == "PaymentCaptured")!;
        Assert.Equal(stored!["paymentId"]!.GetValue<string>(), capture["data"]!["paymentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetOrder_of_another_user_is_not_found()
    {
        var owner = await Shopper.RegisterAsync(shop.Gateway);
        var stranger = await Shopper.RegisterAsync(shop.Gateway);
        using var placed = await owner.PlaceOrderAsync("tok_visa");
        var orderId = (await Expect.JsonAsync(placed, 201))["orderId"]!.GetValue<string>();

        using var peek = await stranger.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}");
        using var own = await owner.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}");

        await Expect.ProblemAsync(peek, 404);
        await Expect.JsonAsync(own, 200);
        Assert.Empty((await stranger.GetJsonAsync("/api/orders")).AsArray());
    }

    [Fact]
    public async Task ListOrders_returns_the_callers_orders_newest_first()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using var older = await shopper.PlaceOrderAsync("tok_visa");
        var olderId = (await Expect.JsonAsync(older, 201))["orderId"]!.GetValue<string>();
        using var newer = await shopper.PlaceOrderAsync("tok_decline");
        var newerId = (await Expect.JsonAsync(newer, 201))["orderId"]!.GetValue<string>();

        var orders = (await shopper.GetJsonAsync("/api/orders")).AsArray();

        Assert.Equal([newerId, olderId], orders.Select(o => o!["orderId"]!.GetValue<string>()));
    }

    private static async Task<List<JsonNode>> NotificationsForAsync(Shopper shopper, string orderId)
    {
        var all = (await shopper.GetJsonAsync("/api/notifications")).AsArray();
        return all.Where(n => n!["orderId"]?.GetValue<string>() == orderId).Select(n => n!).ToList();
    }
}
