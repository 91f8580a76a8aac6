using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>Who may call what: tokens at the gateway, app tokens on the internal apps' ports.</summary>
[Collection(ShopDefinition.Name)]
public sealed class SecurityTests(ShopFixture shop)
{
    [Fact]
    public async Task Orders_without_token_are_unauthorized()
    {
        using var response = await shop.Gateway.GetAsync(new Uri("/api/orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Orders_with_forged_token_are_unauthorized()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var parts = shopper.Token.Split('.');
        var forgedPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"sub\":\"{Guid.NewGuid()}\",\"role\":\"admin\"}}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var forged = $"{parts[0]}.{forgedPayload}.{parts[2]}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged);

        using var response = await shop.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Token_with_wrong_password_is_unauthorized_problem()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var response = await shop.Gateway.PostAsJsonAsync("/auth/token", new { email = shopper.Email, password = "not the password" });

        await Expect.ProblemAsync(response, 401);
    }

    [Fact]
    public async Task Register_same_email_twice_is_conflict()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var response = await shop.Gateway.PostAsJsonAsync("/auth/register", new { email = shopper.Email, password = "another good password" });

        await Expect.ProblemAsync(response, 409);
    }

    [Fact]
    public async Task OrderService_port_without_app_token_is_refused()
    {
        using var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shop.Apps["order-service"].AppPort}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.Add("x-daprshop-user-id", Guid.NewGuid().ToString());

        using var refused = await direct.SendAsync(request);
        using var health = await direct.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
