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
    public async Task Seeded_admin_logs_in_with_the_operator_password_and_reads_any_order()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using var placed = await shopper.PlaceOrderAsync("tok_visa");
        var orderId = (await Expect.JsonAsync(placed, 201))["orderId"]!.GetValue<string>();

        var admin = await Shopper.LoginAsync(shop.Gateway, shop.AdminEmail, shop.AdminPassword);
        using var read = await admin.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}");

        Assert.Equal("admin", admin.Claim("role"));
        Assert.Equal(orderId, (await Expect.JsonAsync(read, 200))["orderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_admin_email_is_conflict_and_gives_no_admin()
    {
        using var response = await shop.Gateway.PostAsJsonAsync("/auth/register", new { email = shop.AdminEmail, password = "i am the admin now" });
        using var token = await shop.Gateway.PostAsJsonAsync("/auth/token", new { email = shop.AdminEmail, password = "i am the admin now" });

        await Expect.ProblemAsync(response, 409);
        await Expect.ProblemAsync(token, 401);
    }

    [Fact]
    public async Task The_21st_wrong_password_in_a_minute_is_too_many_requests_with_retry_after()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var statuses = new List<int>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 21; i++)
        {
            last?.Dispose();
            last = await shop.Gateway.PostAsJsonAsync("/auth/token", new { email = shopper.Email, password = $"not the password {i}" });
            statuses.Add((int)last.StatusCode);
        }

        using var locked = await shop.Gateway.PostAsJsonAsync("/auth/token", new { email = shopper.Email, password = "correct horse battery staple" });

        Assert.Equal([401, 401, 401, 401, 401], statuses.Take(5));
        await Expect.ProblemAsync(last!, 429);
        Assert.True(last!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {last.Headers.RetryAfter}");
        await Expect.ProblemAsync(locked, 429);
        last.Dispose();
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
