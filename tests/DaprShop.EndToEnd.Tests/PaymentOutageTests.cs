using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// Payment outages, end to end: the order-service sidecar's circuit breaker on payment-service (resiliency.yaml) keeps
/// the shop answering, and every order deferred meanwhile is paid exactly once when payment is back. Faults are
/// injected through payment-service's sidecar, as the README shows; payment counts the requests its
/// <c>/payments</c> endpoints receive (<c>GET /faults</c>), which is how the tests see calls kept away by the breaker.
/// </summary>
[Collection(OutageShopDefinition.Name)]
public sealed class EmbeddedPaymentOutageTests(OutageShopFixture shop) : PaymentOutageTests(shop);

[Collection(RedisOutageShopDefinition.Name)]
public sealed class RedisPaymentOutageTests(RedisOutageShopFixture shop) : PaymentOutageTests(shop);

public abstract partial class PaymentOutageTests(OutageShopFixture shop) : IDisposable
{
    /// <summary>Recovery: the breaker's open window, then the longest retry backoff (4 s), with room for a busy machine.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    /// <summary>An order deferred by an open breaker answers without waiting on payment.</summary>
    private static readonly TimeSpan FastAnswer = TimeSpan.FromSeconds(1);

    /// <summary>Orders placed at most while waiting for the breaker to open: two failing calls (three attempts each) trip it.</summary>
    private const int MaxOrdersToTrip = 6;

    private readonly HttpClient payment = shop.Sidecar("payment-service");

    public void Dispose()
    {
        payment.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Payment_down_Breaker_opens_orders_answer_202_without_calling_payment_then_every_order_confirmed_once()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderIds = new List<string>();
        try
        {
            await SetFaultAsync("down");
            var openSince = await PlaceOrdersUntilBreakerOpensAsync(shopper, orderIds);

            var callsWhenOpen = await PaymentRequestsAsync();
            for (var i = 0; i < 5; i++)
            {
                var (orderId, took) = await PlaceDeferredOrderAsync(shopper);
                Assert.True(took < FastAnswer, $"order {orderId} answered 202 after {took.TotalMilliseconds:0} ms with the breaker open");
                orderIds.Add(orderId);
            }

            var callsAfter = await PaymentRequestsAsync();
            Assert.True(openSince.Elapsed < OutageShopFixture.BreakerOpenFor, $"the orders took {openSince.Elapsed.TotalSeconds:0.0}s: the breaker may have half-opened meanwhile");
            Assert.Equal(callsWhenOpen, callsAfter);
        }
        finally
        {
            await SetFaultAsync("none");
        }

        await AssertEveryOrderConfirmedOnceAsync(shopper, orderIds);
    }

    [Fact]
    public async Task Payment_slow_Timeouts_defer_orders_and_open_the_breaker_then_every_order_confirmed_once()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderIds = new List<string>();
        try
        {
            // Twice the sidecar's per-attempt timeout: every attempt times out, and payment may still record the
            // capture after the caller gave up; the later retry must get that same capture back.
            await SetFaultAsync("slow", (int)(OutageShopFixture.PaymentAttemptTimeout.TotalMilliseconds * 2));
            var callsBefore = await PaymentRequestsAsync();

            // Timeouts count as breaker failures: the orders reach payment until the breaker opens on timeouts alone.
            await PlaceOrdersUntilBreakerOpensAsync(shopper, orderIds);
            Assert.True(await PaymentRequestsAsync() > callsBefore, "the slow payment calls never reached payment-service");
        }
        finally
        {
            await SetFaultAsync("none");
        }

        await AssertEveryOrderConfirmedOnceAsync(shopper, orderIds);
    }

    [Fact]
    public async Task Payment_killed_Orders_answer_202_then_every_order_confirmed_once_after_restart()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var orderIds = new List<string>();
        var killed = PaymentPids().Last();

        // SIGKILL: no graceful shutdown, the process is just gone. The runner (--restart-on-exit) starts it again
        // after 5 s; its sidecar stays up, so order-service's sidecar finds the app unreachable meanwhile.
        using (var process = Process.GetProcessById(killed))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        for (var i = 0; i < 3; i++)
        {
            var (orderId, _) = await PlaceDeferredOrderAsync(shopper);
            orderIds.Add(orderId);
        }

        await Eventually.WaitAsync(
            () => Task.FromResult(PaymentPids().Last()),
            pid => pid != killed,
            Settle,
            "the runner to start payment-service again");
        await AssertEveryOrderConfirmedOnceAsync(shopper, orderIds);
    }

    /// <summary>The process ids of payment-service, in start order, as the runner reports them.</summary>
    private List<int> PaymentPids() =>
        [.. PaymentStarted().Matches(shop.Output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"Started payment-service \(pid (\d+)\)")]
    private static partial Regex PaymentStarted();

    /// <summary>
    /// Places orders (each must answer 202 AwaitingPayment) until one of them did not reach payment-service at all:
    /// the breaker rejected it. Returns a stopwatch started before that order, a lower bound of how long it has been open.
    /// </summary>
    private async Task<Stopwatch> PlaceOrdersUntilBreakerOpensAsync(Shopper shopper, List<string> orderIds)
    {
        for (var i = 0; i < MaxOrdersToTrip; i++)
        {
            var callsBefore = await PaymentRequestsAsync();
            var since = Stopwatch.StartNew();
            var (orderId, _) = await PlaceDeferredOrderAsync(shopper);
            orderIds.Add(orderId);
            if (await PaymentRequestsAsync() == callsBefore)
            {
                return since;
            }
        }

        throw new InvalidOperationException($"The breaker on payment-service did not open after {MaxOrdersToTrip} failing orders.\n{shop.Output}");
    }

    private static async Task<(string OrderId, TimeSpan Took)> PlaceDeferredOrderAsync(Shopper shopper)
    {
        var clock = Stopwatch.StartNew();
        using var placed = await shopper.PlaceOrderAsync("tok_visa");
        var took = clock.Elapsed;
        var order = await Expect.JsonAsync(placed, 202);
        Assert.Equal("AwaitingPayment", order["status"]!.GetValue<string>());
        return (order["orderId"]!.GetValue<string>(), took);
    }

    /// <summary>
    /// Every order becomes Confirmed; payment holds exactly one captured payment for it, the one its
    /// <c>PaymentCaptured</c> event names; its log shows the deferral before the capture; its owner got exactly one
    /// notification, <c>OrderConfirmed</c>.
    /// </summary>
    private async Task AssertEveryOrderConfirmedOnceAsync(Shopper shopper, List<string> orderIds)
    {
        await Eventually.WaitAsync(
            async () => (await shopper.GetJsonAsync("/api/orders")).AsArray()
                .Where(o => orderIds.Contains(o!["orderId"]!.GetValue<string>()) && o["status"]!.GetValue<string>() == "Confirmed")
                .Count(),
            confirmed => confirmed == orderIds.Count,
            Settle,
            $"all {orderIds.Count} deferred orders to be Confirmed");

        foreach (var orderId in orderIds)
        {
            var captured = (await payment.GetFromJsonAsync<JsonObject>($"/v1.0/invoke/payment-service/method/payments/{orderId}"))!;
            Assert.Equal("Captured", captured["status"]!.GetValue<string>());

            var events = (await shopper.GetJsonAsync($"/api/orders/{orderId}/events")).AsArray().Select(e => e!).ToList();
            var types = events.Select(e => e["type"]!.GetValue<string>()).ToList();
            var deferred = types.IndexOf("PaymentDeferred");
            var capture = Assert.Single(events, e => e["type"]!.GetValue<string>() == "PaymentCaptured");
            Assert.True(deferred >= 0 && deferred < events.IndexOf(capture), $"order {orderId}: {string.Join(", ", types)}");
            Assert.Equal(captured["paymentId"]!.GetValue<string>(), capture["data"]!["paymentId"]!.GetValue<string>());
        }

        await Eventually.WaitAsync(
            async () => (await shopper.GetJsonAsync("/api/notifications")).AsArray().Select(n => n!).ToList(),
            notifications => orderIds.All(id => notifications.Any(n => n["orderId"]?.GetValue<string>() == id)),
            Settle,
            $"a notification for each of the {orderIds.Count} orders");

        // Re-read after the last one arrived: a duplicate delivery would show here.
        var all = (await shopper.GetJsonAsync("/api/notifications")).AsArray().Select(n => n!).ToList();
        foreach (var orderId in orderIds)
        {
            var notification = Assert.Single(all, n => n["orderId"]?.GetValue<string>() == orderId);
            Assert.Equal("OrderConfirmed", notification["eventType"]!.GetValue<string>());
        }
    }

    private async Task SetFaultAsync(string mode, int? delayMs = null)
    {
        using var response = await payment.PutAsJsonAsync("/v1.0/invoke/payment-service/method/faults", new { mode, delayMs });
        await Expect.JsonAsync(response, 200);
    }

    private async Task<long> PaymentRequestsAsync()
    {
        var fault = (await payment.GetFromJsonAsync<JsonNode>("/v1.0/invoke/payment-service/method/faults"))!;
        return fault["paymentRequests"]!.GetValue<long>();
    }
}
