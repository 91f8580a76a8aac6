using System.Text;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// Bad input through the gateway gets a 4xx problem-details answer, never a 5xx or a stack trace, and changes nothing:
/// the shopper's order list stays empty, and the email a refused registration named can still be registered.
/// </summary>
[Collection(ShopDefinition.Name)]
public sealed class ValidationTests(ShopFixture shop) : IDisposable
{
    private const string Password = "correct horse battery staple";

    private const string Item = "{\"sku\":\"SKU-TEA-001\",\"quantity\":2,\"unitPrice\":12.50}";

    /// <summary>Every case by name; <c>{email}</c> in a body stands for a fresh address.</summary>
    private static readonly Dictionary<string, BadInput> Cases = new(StringComparer.Ordinal)
    {
        ["order: an item is null"] = PlaceOrder(400, Order(items: "[null]")),
        ["order: a null after a good item"] = PlaceOrder(400, Order(items: $"[{Item},null]")),
        ["order: control character in sku"] = PlaceOrder(400, Order(items: "[{\"sku\":\"SKU\\u0001\",\"quantity\":1,\"unitPrice\":1}]")),
        ["order: line feed in sku"] = PlaceOrder(400, Order(items: "[{\"sku\":\"SKU\\nX\",\"quantity\":1,\"unitPrice\":1}]")),
        ["order: control character in currency"] = PlaceOrder(400, Order(currency: "\"E\\u0001R\"")),
        ["order: line feed after currency"] = PlaceOrder(400, Order(currency: "\"EUR\\n\"")),
        ["order: NUL in paymentMethod"] = PlaceOrder(400, Order(paymentMethod: "\"tok\\u0000visa\"")),
        ["order: sku of 101 characters"] = PlaceOrder(400, Order(items: $"[{{\"sku\":\"{new string('s', 101)}\",\"quantity\":1,\"unitPrice\":1}}]")),
        ["order: paymentMethod of 201 characters"] = PlaceOrder(400, Order(paymentMethod: $"\"{new string('p', 201)}\"")),
        ["order: sku of a megabyte"] = PlaceOrder(400, Order(items: $"[{{\"sku\":\"{new string('s', 1 << 20)}\",\"quantity\":1,\"unitPrice\":1}}]")),
        ["order: 101 items"] = PlaceOrder(400, Order(items: $"[{string.Join(',', Enumerable.Repeat(Item, 101))}]")),
        ["order: no items"] = PlaceOrder(400, Order(items: "[]")),
        ["order: missing fields"] = PlaceOrder(400, "{\"currency\":\"EUR\"}"),
        ["order: negative quantity"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":-3,\"unitPrice\":1}]")),
        ["order: negative price"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":-0.01}]")),
        ["order: quantity above the limit"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":10001,\"unitPrice\":1}]")),
        ["order: quantity beyond int"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":99999999999,\"unitPrice\":1}]")),
        ["order: price above the limit"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1000000.01}]")),
        ["order: price beyond decimal"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1e400}]")),
        ["order: fractional quantity"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":1.5,\"unitPrice\":1}]")),
        ["order: quantity as a word"] = PlaceOrder(400, Order(items: "[{\"sku\":\"a\",\"quantity\":\"many\",\"unitPrice\":1}]")),
        ["order: items as a string"] = PlaceOrder(400, Order(items: "\"SKU-TEA-001\"")),
        ["order: currency as a number"] = PlaceOrder(400, Order(currency: "978")),
        ["order: lone surrogate in sku"] = PlaceOrder(400, Order(items: "[{\"sku\":\"\\ud800\",\"quantity\":1,\"unitPrice\":1}]")),
        ["order: malformed JSON"] = PlaceOrder(400, "{\"items\": ["),
        ["order: nested a thousand deep"] = PlaceOrder(400, $"{new string('[', 1000)}{new string(']', 1000)}"),
        ["order: JSON null"] = PlaceOrder(400, "null"),
        ["order: JSON array"] = PlaceOrder(400, "[]"),
        ["order: empty body"] = PlaceOrder(400, string.Empty),
        ["order: text/plain"] = PlaceOrder(415, Order(), contentType: "text/plain"),
        ["order: no content type"] = PlaceOrder(415, Order(), contentType: null),
        ["order: unknown charset"] = PlaceOrder(415, Order(), contentType: "application/json; charset=bogus"),
        ["order: empty charset"] = PlaceOrder(415, Order(), contentType: "application/json; charset="),
        ["order: non-ASCII Idempotency-Key"] = PlaceOrder(400, Order(), header: ("Idempotency-Key", "clé-1")),
        ["order: control character in Idempotency-Key"] = PlaceOrder(400, Order(), header: ("Idempotency-Key", "key\u0001")),
        ["order: tab in Idempotency-Key"] = PlaceOrder(400, Order(), header: ("Idempotency-Key", "key\t1")),
        ["order: Idempotency-Key of 201 characters"] = PlaceOrder(400, Order(), header: ("Idempotency-Key", new string('k', 201))),
        ["order: non-ASCII header"] = PlaceOrder(400, Order(), header: ("X-Note", "café")),
        ["order: control character in a header"] = PlaceOrder(400, Order(), header: ("X-Note", "a\u0001b")),
        ["get: non-ASCII header"] = new(400, HttpMethod.Get, "/api/orders", Header: ("X-Note", "café")),
        ["get: order id with ||"] = new(404, HttpMethod.Get, "/api/orders/a%7C%7Cb"),
        ["events: order id with ||"] = new(404, HttpMethod.Get, "/api/orders/a%7C%7Cb/events"),
        ["cancel: order id with ||"] = new(404, HttpMethod.Post, "/api/orders/a%7C%7Cb/cancel"),
        ["get as of: order id with ||"] = new(404, HttpMethod.Get, "/api/orders/a%7C%7Cb?asOf=2100-01-01T00:00:00Z"),
        ["get: order id of 5000 characters"] = new(404, HttpMethod.Get, $"/api/orders/{new string('a', 5000)}"),
        ["get: order id with a control character"] = new(404, HttpMethod.Get, "/api/orders/a%01b"),
        ["get: upper-case order id"] = new(404, HttpMethod.Get, "/api/orders/0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"),
        ["register: control character in name"] = Register(400, "{\"email\":\"{email}\",\"password\":\"" + Password + "\",\"name\":\"Al\\u0001ice\"}"),
        ["register: line feed in name"] = Register(400, "{\"email\":\"{email}\",\"password\":\"" + Password + "\",\"name\":\"Alice\\n\"}"),
        ["register: CR LF after email"] = Register(400, "{\"email\":\"{email}\\r\\n\",\"password\":\"" + Password + "\"}"),
        ["register: control character in email"] = Register(400, "{\"email\":\"\\u0001{email}\",\"password\":\"" + Password + "\"}"),
        ["register: name of 101 characters"] = Register(400, "{\"email\":\"{email}\",\"password\":\"" + Password + "\",\"name\":\"" + new string('n', 101) + "\"}"),
        ["register: email of 300 characters"] = Register(400, "{\"email\":\"" + new string('e', 290) + "{email}\",\"password\":\"" + Password + "\"}"),
        ["register: weak password"] = Register(400, "{\"email\":\"{email}\",\"password\":\"123\"}"),
        ["register: password as a number"] = Register(400, "{\"email\":\"{email}\",\"password\":12345678}"),
        ["register: malformed JSON"] = Register(400, "{\"email\":\"{email}\",\"password\":"),
        ["register: JSON null"] = Register(400, "null"),
        ["register: text/plain"] = Register(415, "{\"email\":\"{email}\",\"password\":\"" + Password + "\"}", contentType: "text/plain"),
        ["register: unknown charset"] = Register(415, "{\"email\":\"{email}\",\"password\":\"" + Password + "\"}", contentType: "application/json; charset=bogus"),
        ["token: unknown charset"] = new(415, HttpMethod.Post, "/auth/token", "{\"email\":\"{email}\",\"password\":\"" + Password + "\"}", "application/json; charset=bogus"),
        ["token: malformed JSON"] = new(400, HttpMethod.Post, "/auth/token", "{\"email\":"),
        ["token: email as a number"] = new(400, HttpMethod.Post, "/auth/token", "{\"email\":5,\"password\":\"" + Password + "\"}"),
        ["token: password null"] = new(400, HttpMethod.Post, "/auth/token", "{\"email\":\"{email}\",\"password\":null}"),
        ["token: empty body"] = new(400, HttpMethod.Post, "/auth/token", string.Empty),
    };

    // Writes header values as UTF-8, as curl does; .NET's default handler refuses to send a non-ASCII value at all.
    private readonly HttpClient gateway = new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
    {
        BaseAddress = shop.GatewayUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            names.Add(name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Bad_input_4xx_problem_details_without_stack_trace_and_nothing_stored(string name)
    {
        var input = Cases[name];
        var email = $"bad-input-{Guid.NewGuid():N}@e2e.test";
        var shopper = input.Path.StartsWith("/api/", StringComparison.Ordinal) ? await Shopper.RegisterAsync(gateway) : null;

        using var request = shopper?.Request(input.Method, input.Path) ?? new HttpRequestMessage(input.Method, input.Path);
        if (input.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(input.Body.Replace("{email}", email, StringComparison.Ordinal)));
            if (input.ContentType is not null)
            {
                Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType));
            }
        }

        if (input.Header is var (header, value))
        {
            Assert.True(request.Headers.TryAddWithoutValidation(header, value));
        }

        using var response = await gateway.SendAsync(request);

        var problem = await Expect.ProblemAsync(response, input.Status);
        Assert.DoesNotContain("Exception", problem.ToJsonString(), StringComparison.Ordinal);
        if (shopper is not null)
        {
            Assert.Empty((await shopper.GetJsonAsync("/api/orders")).AsArray());
        }

        if (input.Path == "/auth/register")
        {
            using var registered = await gateway.PostAsync("/auth/register", new StringContent($"{{\"email\":\"{email}\",\"password\":\"{Password}\"}}", Encoding.UTF8, "application/json"));
            await Expect.JsonAsync(registered, 201);
        }
    }

    public void Dispose() => gateway.Dispose();

    private static string Order(string items = $"[{Item}]", string currency = "\"EUR\"", string paymentMethod = "\"tok_visa\"") =>
        $"{{\"items\":{items},\"currency\":{currency},\"paymentMethod\":{paymentMethod}}}";

    private static BadInput PlaceOrder(int status, string body, string? contentType = "application/json", (string Name, string Value)? header = null) =>
        new(status, HttpMethod.Post, "/api/orders", body, contentType, header);

    private static BadInput Register(int status, string body, string? contentType = "application/json") =>
        new(status, HttpMethod.Post, "/auth/register", body, contentType);

    /// <summary>One bad request: what is sent, and the status of the problem details expected back.</summary>
    private sealed record BadInput(
        int Status,
        HttpMethod Method,
        string Path,
        string? Body = null,
        string? ContentType = "application/json",
        (string Name, string Value)? Header = null);
}
