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
        return await LoginAsync(gateway, email, password, registration["userId"]!.GetValue<string>());
    }

    /// <summary>An existing user (the seeded admin, for example) who obtains a token with their password.</summary>
    public static async Task<Shopper> LoginAsync(HttpClient gateway, string email, string password, string? userId = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        using var issued = await gateway.PostAsJsonAsync("/auth/token", new { email, password });
        var token = (await Expect.JsonAsync(issued, 200))["accessToken"]!.GetValue<string>();
        return new Shopper(gateway, email, userId ?? TokenClaim(token, "sub")!, token);
    }

    /// <summary>A claim of this user's token as the gateway issued it (its payload read, not validated), or null.</summary>
    public string? Claim(string name) => TokenClaim(Token, name);

    private static string? TokenClaim(string token, string name)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var json = Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '='));
        return JsonNode.Parse(json)?[name]?.GetValue<string>();
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
