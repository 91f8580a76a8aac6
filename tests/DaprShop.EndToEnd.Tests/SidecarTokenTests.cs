using System.Net;
using System.Text;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// Every sidecar answers only its own app: the runner gives each a Dapr API token of its own per run. A local process
/// without it, or with another app's, is refused 401 as daprd refuses it, whatever it tries; the health endpoint stays
/// open, as in daprd.
/// </summary>
[Collection(ShopDefinition.Name)]
public sealed class SidecarTokenTests(ShopFixture shop)
{
    public static TheoryData<string, string, string, string?> Calls => new()
    {
        // Read the JWT signing key, or a user's password hash, through the gateway's sidecar.
        { "auth-gateway", "GET", "/v1.0/secrets/secretstore/jwt-signing-key", null },
        { "auth-gateway", "GET", "/v1.0/state/statestore/anything", null },
        // Overwrite state, call order-service as anyone, publish a forged event, refund a payment.
        { "auth-gateway", "POST", "/v1.0/state/statestore", """[{"key":"user-x","value":{}}]""" },
        { "order-service", "GET", "/v1.0/invoke/order-service/method/orders", null },
        { "notification-service", "POST", "/v1.0/publish/pubsub/orders", "{}" },
        { "payment-service", "POST", "/v1.0/invoke/payment-service/method/payments/o-1/refund", null },
        { "order-service", "POST", "/v1.0/actors/OrderActor/o-1/method/CancelAsync", "{}" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_without_the_sidecars_token_is_refused_401(string appId, string method, string path, string? body)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shop.Apps[appId].DaprHttpPort}") };

        using var response = await anonymous.SendAsync(Request(method, path, body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_with_another_apps_token_is_refused_401(string appId, string method, string path, string? body)
    {
        var other = shop.Apps.Keys.First(id => id != appId);
        using var intruder = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shop.Apps[appId].DaprHttpPort}") };
        intruder.DefaultRequestHeaders.Add("dapr-api-token", shop.SidecarToken(other));

        using var response = await intruder.SendAsync(Request(method, path, body));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Every_sidecar_has_a_token_of_its_own_and_health_needs_none()
    {
        var tokens = shop.Apps.Keys.Select(shop.SidecarToken).ToList();
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shop.Apps["payment-service"].DaprHttpPort}") };

        using var health = await anonymous.GetAsync(new Uri("/v1.0/healthz", UriKind.Relative));

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, token => Assert.Equal(64, token.Length));
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task With_its_token_a_call_by_hand_works()
    {
        using var payment = shop.Sidecar("payment-service");

        using var faults = await payment.GetAsync(new Uri("/v1.0/invoke/payment-service/method/faults", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, faults.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path, string? body) =>
        new(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
}
