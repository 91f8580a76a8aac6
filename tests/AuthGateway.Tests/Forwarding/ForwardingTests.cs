using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuthGateway.Tests.Forwarding;

public class ForwardingTests
{
    [Theory]
    [InlineData("/api/orders", "/v1.0/invoke/order-service/method/orders")]
    [InlineData("/api/orders/o-1", "/v1.0/invoke/order-service/method/orders/o-1")]
    [InlineData("/api/orders/o-1/cancel", "/v1.0/invoke/order-service/method/orders/o-1/cancel")]
    [InlineData("/api/notifications", "/v1.0/invoke/notification-service/method/notifications")]
    public async Task Forward_authenticated_Through_sidecar_invocation_path(string publicPath, string sidecarPath)
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        var received = await Received.ReadAsync(await client.GetAsync(publicPath));

        Assert.Equal(sidecarPath, received.Path);
    }

    [Fact]
    public async Task Forward_query_string_Passes_through()
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        var received = await Received.ReadAsync(await client.GetAsync("/api/orders/o-1?asOf=2025-01-01T00:00:00Z"));

        Assert.Equal("?asOf=2025-01-01T00:00:00Z", received.Query);
    }

    [Fact]
    public async Task Forward_forged_identity_headers_Replaced_by_token_identity()
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port, DaprApiToken = "gateway-sidecar-token" };
        using var client = factory.CreateClient();
        var token = await client.RegisterAndGetTokenAsync("alice@example.com");
        var userId = factory.State.Peek<AuthGateway.Domain.UserAccount>(AuthGateway.Domain.UserAccounts.Key("alice@example.com"))!.UserId;
        client.UseBearer(token);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(new { items = Array.Empty<object>() }) };
        request.Headers.Add("x-daprshop-user-id", "someone-else");
        request.Headers.Add("X-DaprShop-User-Roles", "admin");
        request.Headers.Add("dapr-api-token", "forged");
        request.Headers.Add("dapr-app-id", "payment-service");
        var response = await client.SendAsync(request);
        var received = await Received.ReadAsync(response);

        Assert.Equal(userId, received.Headers["x-daprshop-user-id"]);
        Assert.Equal("alice@example.com", received.Headers["x-daprshop-user-email"]);
        Assert.Equal("customer", received.Headers["x-daprshop-user-roles"]);
        Assert.Equal("gateway-sidecar-token", received.Headers["dapr-api-token"]);
        Assert.False(received.Headers.ContainsKey("dapr-app-id"));
        Assert.False(received.Headers.ContainsKey("authorization"));
        Assert.Equal("POST", received.Method);
        Assert.Equal("/api/orders/o-123", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Forward_without_token_401_problem_details_and_nothing_forwarded()
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTEiLCJpc3MiOiJkYXByc2hvcCIsImF1ZCI6ImRhcHJzaG9wLWFwaSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmVkLXdpdGgtYW5vdGhlci1rZXk")]
    public async Task Forward_forged_token_401_problem_details(string token)
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(token);

        var response = await client.GetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Forward_sidecar_down_Problem_details_not_a_hang()
    {
        await using var factory = new GatewayFactory { DaprHttpPort = 1 };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        var response = await client.GetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Forward_sidecar_invocation_error_502_problem_details()
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        var response = await client.GetAsync("/api/orders/unreachable");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("order-service", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Note", "café")]
    [InlineData("Idempotency-Key", "clé-1")]
    [InlineData("Idempotency-Key", "key\u0001")]
    [InlineData("X-Note", "a\u007fb")]
    [InlineData("X-Note", "\u00a0")]
    public async Task Forward_header_value_outside_printable_ascii_400_problem_details_and_nothing_forwarded(string header, string value)
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(new { items = Array.Empty<object>() }) };
        Assert.True(request.Headers.TryAddWithoutValidation(header, value));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid request header", problem.GetProperty("title").GetString());
        Assert.Contains(header, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, sidecar.Requests);
    }

    [Fact]
    public async Task Forward_header_value_with_space_and_tab_Passes_through()
    {
        await using var sidecar = await StandInSidecar.StartAsync();
        await using var factory = new GatewayFactory { DaprHttpPort = sidecar.Port };
        using var client = factory.CreateClient();
        client.UseBearer(await client.RegisterAndGetTokenAsync("alice@example.com"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
        request.Headers.TryAddWithoutValidation("X-Note", "a b\tc ~!");
        var received = await Received.ReadAsync(await client.SendAsync(request));

        Assert.Equal("a b\tc ~!", received.Headers["x-note"]);
    }

    [Theory]
    [InlineData("plain-ascii ~!", true)]
    [InlineData("tab\tand space", true)]
    [InlineData("", true)]
    [InlineData("café", false)]
    [InlineData("nul\u0000", false)]
    [InlineData("line\nfeed", false)]
    [InlineData("del\u007f", false)]
    [InlineData("c1\u0085", false)]
    public void IsForwardable_value_Expected(string value, bool expected)
    {
        Assert.Equal(expected, AuthGateway.Forwarding.ForwardableHeaders.IsForwardable(value));
    }

    [Theory]
    [InlineData("x-daprshop-user-id", true)]
    [InlineData("X-DAPRSHOP-USER-ROLES", true)]
    [InlineData("x-daprshop-anything", true)]
    [InlineData("dapr-api-token", true)]
    [InlineData("dapr-app-id", true)]
    [InlineData("traceparent", false)]
    [InlineData("content-type", false)]
    public void IsReserved_header_Expected(string header, bool expected)
    {
        Assert.Equal(expected, AuthGateway.Forwarding.IdentityHeadersTransform.IsReserved(header));
    }
}
