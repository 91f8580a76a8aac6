using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.EndToEnd.Tests.Infrastructure;
using OrderService.Domain;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// What an attacker on the same machine tried against the running shop (issue 10's "Why"), each refused. The sidecars
/// refusing callers without their token are <see cref="SidecarTokenTests"/>; the gateway's doors are
/// <see cref="SecurityTests"/>; bad input is <see cref="ValidationTests"/>. These are the rest.
/// </summary>
[Collection(ShopDefinition.Name)]
public sealed class AttackTests(ShopFixture shop)
{
    [Fact]
    public async Task Capture_of_0_EUR_recorded_first_for_a_predictable_order_id_Order_never_confirmed_capture_refunded()
    {
        // Even with payment-service's own sidecar token (an operator's access), a capture recorded in advance for the
        // order id a customer's Idempotency-Key leads to does not confirm the customer's 5,000 EUR order.
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var key = $"attack-{Guid.NewGuid():N}";
        var orderId = OrderIds.FromIdempotencyKey(shopper.UserId, key);
        using var payment = shop.Sidecar("payment-service");
        using var forged = await payment.PostAsJsonAsync(
            new Uri("/v1.0/invoke/payment-service/method/payments", UriKind.Relative),
            new { orderId, amount = 0m, currency = "EUR", paymentMethod = "tok_visa" });
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);

        using var placed = await shopper.PlaceOrderAsync("tok_visa", key, quantity: 2, unitPrice: 2500m);

        Assert.True(placed.IsSuccessStatusCode, await placed.Content.ReadAsStringAsync());
        var order = await placed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(orderId, order.GetProperty("orderId").GetString());
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        var events = await shopper.GetJsonAsync($"/api/orders/{orderId}/events");
        Assert.Equal(
            ["OrderPlaced", "PaymentMismatched", "PaymentRefunded", "OrderCancelled"],
            events.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        var stored = await payment.GetFromJsonAsync<JsonElement>(new Uri($"/v1.0/invoke/payment-service/method/payments/{orderId}", UriKind.Relative));
        Assert.Equal("Refunded", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_sidecar_with_its_own_token_cannot_publish_an_order_event()
    {
        // The pubsub component is scoped to order-service and notification-service: the gateway's sidecar does not load it.
        using var gatewaySidecar = shop.Sidecar("auth-gateway");

        using var response = await gatewaySidecar.PostAsJsonAsync(
            new Uri("/v1.0/publish/pubsub/orders", UriKind.Relative),
            new { eventType = "OrderConfirmed", orderId = Guid.NewGuid(), userEmail = "victim@example.com" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Deleted_account_s_token_is_refused_at_the_gateway()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using (var deleted = await shopper.SendAsync(HttpMethod.Delete, "/auth/me"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var response = await shopper.SendAsync(HttpMethod.Get, "/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Swagger_is_not_served_outside_development()
    {
        using var response = await shop.Gateway.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
