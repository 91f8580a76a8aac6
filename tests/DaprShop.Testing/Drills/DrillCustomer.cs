using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DaprShop.Testing.Drills;

/// <summary>
/// A customer of the shop as the crash drill drives one: every call goes through the gateway and a call that gets no
/// answer (the shop died under it) is an answer of its own, null, never an exception.
/// </summary>
internal sealed class DrillCustomer
{
    private const string Password = "crash drill passphrase";
    private readonly HttpClient _gateway;
    private readonly string _token;

    private DrillCustomer(HttpClient gateway, string userId, string token)
    {
        _gateway = gateway;
        UserId = userId;
        _token = token;
    }

    public string UserId { get; }

    public static async Task<DrillCustomer> RegisterAsync(HttpClient gateway, string email, CancellationToken cancellationToken)
    {
        using var registered = await gateway.PostAsJsonAsync("/auth/register", new { email, password = Password, name = "Crash Drill" }, cancellationToken);
        var user = await ReadAsync(registered, 201, "register", cancellationToken);
        using var issued = await gateway.PostAsJsonAsync("/auth/token", new { email, password = Password }, cancellationToken);
        var token = await ReadAsync(issued, 200, "token", cancellationToken);
        return new DrillCustomer(gateway, user["userId"]!.GetValue<string>(), token["accessToken"]!.GetValue<string>());
    }

    /// <summary>Places a one-line order; the status and order id it was answered with, or nulls for no answer.</summary>
    public async Task<(int? Status, string? OrderId)> PlaceAsync(string paymentMethod, string idempotencyKey, CancellationToken cancellationToken)
    {
        var body = new { items = new[] { new { sku = "SKU-DRILL", quantity = 1, unitPrice = 19.99m } }, currency = "EUR", paymentMethod };
        var (status, json) = await SendAsync(HttpMethod.Post, "/api/orders", body, idempotencyKey, cancellationToken);
        return (status, json?["orderId"]?.GetValue<string>());
    }

    public async Task<int?> CancelAsync(string orderId, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Post, $"/api/orders/{Uri.EscapeDataString(orderId)}/cancel", null, null, cancellationToken)).Status;

    /// <summary>The customer's orders (id → status), or null when the shop does not answer.</summary>
    public async Task<Dictionary<string, string>?> OrdersAsync(CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(HttpMethod.Get, "/api/orders", null, null, cancellationToken);
        return status == 200 && json is JsonArray orders
            ? orders.ToDictionary(o => o!["orderId"]!.GetValue<string>(), o => o!["status"]!.GetValue<string>(), StringComparer.Ordinal)
            : null;
    }

    public async Task<JsonArray?> EventsAsync(string orderId, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(HttpMethod.Get, $"/api/orders/{Uri.EscapeDataString(orderId)}/events", null, null, cancellationToken);
        return status == 200 ? json as JsonArray : null;
    }

    public async Task<JsonArray?> NotificationsAsync(CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(HttpMethod.Get, "/api/notifications", null, null, cancellationToken);
        return status == 200 ? json as JsonArray : null;
    }

    private async Task<(int? Status, JsonNode? Json)> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await _gateway.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json = null;
            if (response.Content.Headers.ContentType?.MediaType is "application/json" && text.Length > 0)
            {
                json = JsonNode.Parse(text);
            }

            return ((int)response.StatusCode, json);
        }
        catch (HttpRequestException)
        {
            return (null, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (System.Text.Json.JsonException)
        {
            return (null, null);
        }
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, int expected, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (int)response.StatusCode == expected && JsonNode.Parse(text) is { } json
            ? json
            : throw new InvalidOperationException($"the drill's {what} call answered {(int)response.StatusCode}, not {expected}: {text}");
    }
}
