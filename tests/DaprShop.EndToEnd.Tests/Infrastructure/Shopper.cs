using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>A registered user of the shop with a bearer token, calling the gateway like any REST client.</summary>
public sealed class Shopper
{
    private Shopper(HttpClient gateway, string email, string userId, string token)
    {
        Gateway = gateway;
        Email = email;
        UserId = userId;
        Token = token;
    }

    public HttpClient Gateway { get; }

    public string Email { get; }

    public string UserId { get; }

    public string Token { get; }

    /// <summary>Registers a new user with a unique email and obtains a token.</summary>
    public static async Task<Shopper> RegisterAsync(HttpClient gateway, string? email = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        email ??= $"shopper-{Guid.NewGuid():N}@e2e.test";
        const string password = "correct horse battery staple";
        using var registered = await gateway.PostAsJsonAsync("/auth/register", new { email, password, name = "E2E Shopper" });
        var registration = await Expect.JsonAsync(registered, 201);
        using var issued = await gateway.PostAsJsonAsync("/auth/token", new { email, password });
        var token = await Expect.JsonAsync(issued, 200);
        return new Shopper(gateway, email, registration["userId"]!.GetValue<string>(), token["accessToken"]!.GetValue<string>());
    }

    /// <summary>The same user calling through another client (for example a new one after the shop restarted).</summary>
    public Shopper Through(HttpClient gateway) => new(gateway, Email, UserId, Token);

    public HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        using var request = Request(method, path, body, idempotencyKey);
        return await Gateway.SendAsync(request);
    }

    /// <summary>Places an order of one item and returns the response.</summary>
    public Task<HttpResponseMessage> PlaceOrderAsync(string paymentMethod, string? idempotencyKey = null, int quantity = 2, decimal unitPrice = 12.50m) =>
        SendAsync(
            HttpMethod.Post,
            "/api/orders",
            new { items = new[] { new { sku = "SKU-TEA-001", quantity, unitPrice } }, currency = "EUR", paymentMethod },
            idempotencyKey);

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        return await Expect.JsonAsync(response, 200);
    }
}
