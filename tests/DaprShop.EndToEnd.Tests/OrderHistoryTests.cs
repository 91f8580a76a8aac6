using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// Orders as event logs through the public API: the log itself, the order as it stood at a past time, the refund of a
/// cancelled paid order, and the payment window that cancels an unpaid one.
/// </summary>
[Collection(ShopDefinition.Name)]
public sealed class EmbeddedOrderHistoryTests(ShopFixture shop) : OrderHistoryTests(shop);

[Collection(RedisShopDefinition.Name)]
public sealed class RedisOrderHistoryTests(RedisShopFixture shop) : OrderHistoryTests(shop);

[Collection(PostgresShopDefinition.Name)]
public sealed class PostgresOrderHistoryTests(PostgresShopFixture shop) : OrderHistoryTests(shop);

public abstract class OrderHistoryTests(ShopFixture shop)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Paid_order_event_log_reads_placed_captured_confirmed()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderId = await PlaceAsync(shopper, "tok_visa", 201);

        var events = await EventsAsync(shopper, orderId);

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed"], Types(events));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e["sequence"]!.GetValue<long>()));
        Assert.Equal(orderId, events[0]["data"]!["orderId"]!.GetValue<string>());
        Assert.Equal(25.00m, events[0]["data"]!["total"]!.GetValue<decimal>());
        Assert.False(string.IsNullOrEmpty(events[1]["data"]!["paymentId"]!.GetValue<string>()));
        var times = events.Select(OccurredAt).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task AsOf_before_the_capture_shows_AwaitingPayment_and_after_shows_Confirmed()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderId = await PlaceAsync(shopper, "tok_visa", 201);
        var events = await EventsAsync(shopper, orderId);
        var placedAt = OccurredAt(events[0]);
        var capturedAt = OccurredAt(events[1]);
        Assert.True(placedAt < capturedAt, $"placed at {placedAt:O}, captured at {capturedAt:O}");

        var before = await shopper.GetJsonAsync($"/api/orders/{orderId}?asOf={AsOf(placedAt)}");
        var after = await shopper.GetJsonAsync($"/api/orders/{orderId}?asOf={AsOf(capturedAt)}");
        using var notYet = await shopper.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}?asOf={AsOf(placedAt.AddSeconds(-1))}");
        using var nonsense = await shopper.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}?asOf=last-tuesday");

        Assert.Equal("AwaitingPayment", before["status"]!.GetValue<string>());
        Assert.Equal("Confirmed", after["status"]!.GetValue<string>());
        Assert.Equal(orderId, after["orderId"]!.GetValue<string>());
        await Expect.ProblemAsync(notYet, 404);
        var problem = await Expect.ProblemAsync(nonsense, 400);
        Assert.NotNull(problem["errors"]?["asOf"]);
    }

    [Fact]
    public async Task Cancelled_paid_order_shows_PaymentRefunded_and_payment_holds_exactly_one_refund()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderId = await PlaceAsync(shopper, "tok_visa", 201);

        using var cancelled = await shopper.SendAsync(HttpMethod.Post, $"/api/orders/{orderId}/cancel");
        var order = await Expect.JsonAsync(cancelled, 200);
        using var again = await shopper.SendAsync(HttpMethod.Post, $"/api/orders/{orderId}/cancel");
        await Expect.ProblemAsync(again, 409);

        Assert.Equal("Cancelled", order["status"]!.GetValue<string>());
        var events = await EventsAsync(shopper, orderId);
        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed", "PaymentRefunded", "OrderCancelled"], Types(events));
        using var payment = shop.Sidecar("payment-service");
        var refunded = (await payment.GetFromJsonAsync<JsonObject>($"/v1.0/invoke/payment-service/method/payments/{orderId}"))!;
        Assert.Equal("Refunded", refunded["status"]!.GetValue<string>());
        Assert.NotNull(refunded["refundedAt"]);

        var notifications = await Eventually.WaitAsync(
            () => NotificationTypesAsync(shopper, orderId),
            types => types.Count >= 2,
            Settle,
            $"the confirmation and the cancellation of order {orderId} notified");
        Assert.Equal(["OrderCancelled", "OrderConfirmed"], notifications.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Payment is down when the order is placed and back (but not yet asked again: the first retry is 1 min away) when
    /// its window closes: the reminder has payment void the order's payment, so that no late capture can charge it,
    /// and cancels the order. (While payment cannot answer the void, the order waits: OrderActorTests.)
    /// </summary>
    [Fact]
    public async Task Unpaid_order_is_voided_and_cancelled_by_the_reminder_when_its_payment_window_expires()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using var payment = shop.Sidecar("payment-service");
        string orderId;
        try
        {
            await SetPaymentFaultAsync(payment, "down");
            orderId = await PlaceAsync(shopper, "tok_visa", 202);
        }
        finally
        {
            await SetPaymentFaultAsync(payment, "none");
        }

        var order = await Eventually.WaitAsync(
            () => shopper.GetJsonAsync($"/api/orders/{orderId}"),
            o => o["status"]!.GetValue<string>() == "Cancelled",
            ShopFixture.PaymentWindow + Settle,
            $"order {orderId} cancelled when its {ShopFixture.PaymentWindow.TotalSeconds:0} s payment window expired");
        Assert.Equal("payment window expired", order["reason"]!.GetValue<string>());

        var events = await EventsAsync(shopper, orderId);
        Assert.Equal(["OrderPlaced", "PaymentDeferred", "OrderCancelled"], Types(events));
        Assert.True(OccurredAt(events[2]) - OccurredAt(events[1]) >= ShopFixture.PaymentWindow - TimeSpan.FromMilliseconds(50));
        var notifications = await Eventually.WaitAsync(
            () => NotificationTypesAsync(shopper, orderId),
            types => types.Count >= 1,
            Settle,
            $"the cancellation of order {orderId} notified");
        Assert.Equal(["OrderCancelled"], notifications);
        var voided = (await payment.GetFromJsonAsync<JsonObject>($"/v1.0/invoke/payment-service/method/payments/{orderId}"))!;
        Assert.Equal("Voided", voided["status"]!.GetValue<string>());
        Assert.Equal(0m, voided["amount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Event_log_and_past_of_another_users_order_are_not_found()
    {
        var owner = await Shopper.RegisterAsync(shop.Gateway);
        var stranger = await Shopper.RegisterAsync(shop.Gateway);
        var orderId = await PlaceAsync(owner, "tok_visa", 201);

        using var events = await stranger.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}/events");
        using var past = await stranger.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}?asOf={AsOf(DateTimeOffset.UtcNow)}");

        await Expect.ProblemAsync(events, 404);
        await Expect.ProblemAsync(past, 404);
    }

    private static async Task<string> PlaceAsync(Shopper shopper, string paymentMethod, int status)
    {
        using var placed = await shopper.PlaceOrderAsync(paymentMethod, idempotencyKey: Guid.NewGuid().ToString());
        return (await Expect.JsonAsync(placed, status))["orderId"]!.GetValue<string>();
    }

    private static async Task<List<JsonNode>> EventsAsync(Shopper shopper, string orderId) =>
        [.. (await shopper.GetJsonAsync($"/api/orders/{orderId}/events")).AsArray().Select(e => e!)];

    private static List<string> Types(IEnumerable<JsonNode> events) => [.. events.Select(e => e["type"]!.GetValue<string>())];

    private static DateTimeOffset OccurredAt(JsonNode e) => DateTimeOffset.Parse(e["occurredAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 in UTC with all seven fractional digits, so it names the event's exact time.</summary>
    private static string AsOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static async Task<List<string>> NotificationTypesAsync(Shopper shopper, string orderId)
    {
        var all = (await shopper.GetJsonAsync("/api/notifications")).AsArray();
        return [.. all.Where(n => n!["orderId"]?.GetValue<string>() == orderId).Select(n => n!["eventType"]!.GetValue<string>())];
    }

    private static async Task SetPaymentFaultAsync(HttpClient payment, string mode)
    {
        using var response = await payment.PutAsJsonAsync("/v1.0/invoke/payment-service/method/faults", new { mode });
        await Expect.JsonAsync(response, 200);
    }
}
