using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.EndToEnd.Tests.Infrastructure;
using StackExchange.Redis;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// The crash drill on the durable profiles (redis, postgres): kill -9 of the runner and every process it started during a burst of orders,
/// then the same run again. Every order that was answered (201 or 202) settles without any client retrying, with
/// exactly one capture and exactly one notification.
/// </summary>
[Collection(RedisCrashShopDefinition.Name)]
public sealed class RedisCrashTests(RedisCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashTests(shop, output);

[Collection(PostgresCrashShopDefinition.Name)]
public sealed class PostgresCrashTests(PostgresCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashTests(shop, output);

public abstract class CrashTests(CrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Shoppers = 4;
    private const int Orders = 40;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Runner_killed_during_a_burst_Every_answered_order_settles_once_with_one_capture_and_one_notification()
    {
        var shoppers = await Task.WhenAll(Enumerable.Range(0, Shoppers).Select(_ => Shopper.RegisterAsync(shop.Gateway)));
        var answered = new System.Collections.Concurrent.ConcurrentBag<(Shopper Shopper, string OrderId, int Status)>();
        var tenAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task PlaceAsync(int i)
        {
            var shopper = shoppers[i % Shoppers];
            try
            {
                using var response = await shopper.PlaceOrderAsync("tok_visa", idempotencyKey: $"crash-{i}");
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted)
                {
                    var order = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                    answered.Add((shopper, order["orderId"]!.GetValue<string>(), (int)response.StatusCode));
                    if (answered.Count >= 10)
                    {
                        tenAnswered.TrySetResult();
                    }
                }
            }
            catch (HttpRequestException)
            {
                // The shop died under this request: no answer, nothing promised.
            }
        }

        var burst = Task.WhenAll(Enumerable.Range(0, Orders).Select(PlaceAsync));
        await tenAnswered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await shop.KillAsync();
        await burst;
        var promised = answered.ToList();
        output.WriteLine($"{promised.Count} of {Orders} orders answered before the kill ({promised.Count(p => p.Status == 201)} with 201, {promised.Count(p => p.Status == 202)} with 202)");
        Assert.True(promised.Count >= 10, $"{promised.Count} orders answered before the kill");
        Assert.True(promised.Count < Orders, "every order was answered before the kill: the drill killed nothing in flight");

        await shop.StartRunnerAsync();

        using var gateway = new HttpClient { BaseAddress = shop.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var payment = shop.Sidecar("payment-service");
        foreach (var group in promised.GroupBy(p => p.Shopper.UserId))
        {
            var shopper = group.First().Shopper.Through(gateway);
            var orderIds = group.Select(p => p.OrderId).ToList();
            await Eventually.WaitAsync(
                async () => (await shopper.GetJsonAsync("/api/orders")).AsArray()
                    .Count(o => orderIds.Contains(o!["orderId"]!.GetValue<string>()) && o["status"]!.GetValue<string>() == "Confirmed"),
                confirmed => confirmed == orderIds.Count,
                Settle,
                $"the {orderIds.Count} answered orders of one shopper to be Confirmed after the restart");

            foreach (var orderId in orderIds)
            {
                var events = (await shopper.GetJsonAsync($"/api/orders/{orderId}/events")).AsArray().Select(e => e!).ToList();
                var capture = Assert.Single(events, e => e["type"]!.GetValue<string>() == "PaymentCaptured");
                Assert.Equal(Enumerable.Range(1, events.Count), events.Select(e => e["sequence"]!.GetValue<int>()));
                var stored = (await payment.GetFromJsonAsync<JsonObject>($"/v1.0/invoke/payment-service/method/payments/{orderId}"))!;
                Assert.Equal("Captured", stored["status"]!.GetValue<string>());
                Assert.Equal(stored["paymentId"]!.GetValue<string>(), capture["data"]!["paymentId"]!.GetValue<string>());
            }

            await Eventually.WaitAsync(
                async () => (await shopper.GetJsonAsync("/api/notifications")).AsArray().Select(n => n!).ToList(),
                notifications => orderIds.All(id => notifications.Any(n => n["orderId"]?.GetValue<string>() == id)),
                Settle,
                $"a notification for each of the {orderIds.Count} answered orders of one shopper");
            var all = (await shopper.GetJsonAsync("/api/notifications")).AsArray().Select(n => n!).ToList();
            foreach (var orderId in orderIds)
            {
                var notification = Assert.Single(all, n => n["orderId"]?.GetValue<string>() == orderId);
                Assert.Equal("OrderConfirmed", notification["eventType"]!.GetValue<string>());
            }
        }

        // The messages went through Redis Streams (both durable profiles), and on the redis profile the orders live in
        // Redis in daprd's layout: a hash with data and version under order-service's prefix.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);
        var db = redis.GetDatabase(shop.RedisDatabase);
        Assert.Contains("notification-service", (await db.StreamGroupInfoAsync("orders")).Select(g => (string)g.Name!));
        if (shop.Profile == "redis")
        {
            var fields = (await db.HashGetAllAsync($"order-service||order-{promised[0].OrderId}")).Select(f => (string)f.Name!).Order(StringComparer.Ordinal);
            Assert.Equal(["data", "version"], fields);
        }
    }
}
