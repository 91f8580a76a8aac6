using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Contracts.Identity;

namespace OrderService.Tests.Apis;

public class OrdersApiTests
{
    private static readonly object ValidOrder = new
    {
        items = new[] { new { sku = "sku-1", quantity = 2, unitPrice = 12.5m }, new { sku = "sku-2", quantity = 1, unitPrice = 0.99m } },
        currency = "EUR",
        paymentMethod = "tok_visa",
    };

    private static async Task<HttpResponseMessage> PostOrderAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    [Fact]
    public async Task CreateOrder_same_key_same_body_Same_order_different_body_422_and_nothing_placed()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var first = await PostOrderAsync(client, ValidOrder, "k-1");
        var again = await PostOrderAsync(client, ValidOrder, "k-1");
        var pricier = new { items = new[] { new { sku = "sku-1", quantity = 2, unitPrice = 5000m } }, currency = "EUR", paymentMethod = "tok_visa" };

        var reused = await PostOrderAsync(client, pricier, "k-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, factory.Payments.Charges);
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/orders")).EnumerateArray());
    }

    [Fact]
    public async Task CreateOrder_captured_201_confirmed_with_server_total_and_location()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await PostOrderAsync(client, ValidOrder);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Confirmed", order.GetProperty("status").GetString());
        Assert.Equal(25.99m, order.GetProperty("total").GetDecimal());
        Assert.Equal($"/orders/{order.GetProperty("orderId").GetString()}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task CreateOrder_declined_201_rejected()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await PostOrderAsync(client, new { items = new[] { new { sku = "a", quantity = 1, unitPrice = 1m } }, currency = "EUR", paymentMethod = "tok_decline" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Rejected", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CreateOrder_payment_down_202_awaiting_payment()
    {
        await using var factory = new OrderServiceFactory();
        factory.Payments.Down = true;
        using var client = factory.ClientFor("u-1");

        var response = await PostOrderAsync(client, ValidOrder);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("AwaitingPayment", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.NotNull(response.Headers.Location);
    }

    [Fact]
    public async Task CreateOrder_same_idempotency_key_twice_Same_order_one_charge()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var first = await (await PostOrderAsync(client, ValidOrder, "key-1")).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await PostOrderAsync(client, ValidOrder, "key-1")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(first.GetProperty("orderId").GetString(), second.GetProperty("orderId").GetString());
        Assert.Equal(1, factory.Payments.Charges);
    }

    [Fact]
    public async Task CreateOrder_without_identity_headers_401_problem_details()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.CreateClient();

        var response = await PostOrderAsync(client, ValidOrder);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"items\":[],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":-1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].quantity")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":0,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].quantity")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":-1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].unitPrice")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1},{\"sku\":\"\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[1].sku")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].unitPrice")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EURO\",\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"ABC\",\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"XXX\",\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":12.505}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].unitPrice")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":100.5}],\"currency\":\"jpy\",\"paymentMethod\":\"tok_visa\"}", "items[0].unitPrice")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\"}", "paymentMethod")]
    [InlineData("{\"items\":[null],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0]")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1},null],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[1]")]
    [InlineData("{\"items\":[{\"sku\":\"a\\u0001b\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].sku")]
    [InlineData("{\"items\":[{\"sku\":\"a\\nb\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].sku")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok\\u0000visa\"}", "paymentMethod")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\\u007f\"}", "paymentMethod")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"E\\u0001R\",\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\\n\",\"paymentMethod\":\"tok_visa\"}", "currency")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":10001,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].quantity")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1000000.01}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}", "items[0].unitPrice")]
    public async Task CreateOrder_invalid_field_400_validation_problem(string body, string field)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        Assert.Equal(0, factory.Payments.CaptureCalls);
        Assert.Empty(factory.Logs.PublishedTypes);
    }

    [Theory]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1}],")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":\"many\",\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"items\":{},\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":99999999999,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"items\":[{\"sku\":\"a\",\"quantity\":1,\"unitPrice\":1e400}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"items\":[{\"sku\":\"\\ud800\",\"quantity\":1,\"unitPrice\":1}],\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    public async Task CreateOrder_malformed_json_400_problem_details_without_stack_trace(string body)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json; charset=\"bogus\"")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task CreateOrder_unknown_charset_415_problem_details(string contentType)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(ValidOrder));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync("/orders", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, factory.Payments.CaptureCalls);
    }

    [Theory]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task CreateOrder_known_charset_201(string contentType)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(ValidOrder));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync("/orders", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateOrder_bad_idempotency_key_400()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");

        var response = await PostOrderAsync(client, ValidOrder, new string('k', 201));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/orders/{0}")]
    [InlineData("GET", "/orders/{0}/events")]
    [InlineData("GET", "/orders/{0}?asOf=2100-01-01T00:00:00Z")]
    [InlineData("POST", "/orders/{0}/cancel")]
    public async Task Malformed_order_id_404_problem_details_and_the_store_never_asked(string method, string pathFormat)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var real = await PlaceAsync(client);
        var published = factory.Logs.PublishedTypes;
        string[] malformed = ["a||b", "nope", real.ToUpperInvariant(), $"{{{real}}}", real.Replace("-", string.Empty, StringComparison.Ordinal), new string('a', 5000), "a\u0001b"];

        foreach (var orderId in malformed)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(CultureInfo.InvariantCulture, pathFormat, Uri.EscapeDataString(orderId)));
            var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.DoesNotContain(factory.Logs.ReadIds, id => malformed.Contains(id));
        Assert.Equal(published, factory.Logs.PublishedTypes);
    }

    [Fact]
    public async Task GetOrder_owner_200()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        var orderId = (await (await PostOrderAsync(owner, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();

        var order = await owner.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");

        Assert.Equal(orderId, order.GetProperty("orderId").GetString());
        Assert.Equal(2, order.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task GetOrder_other_user_404_problem_details()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        using var stranger = factory.ClientFor("u-2");
        var orderId = (await (await PostOrderAsync(owner, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();

        var response = await stranger.GetAsync($"/orders/{orderId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetOrder_admin_other_users_order_200()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        using var admin = factory.ClientFor("admin-1", Roles.Admin);
        var orderId = (await (await PostOrderAsync(owner, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/orders/{orderId}")).StatusCode);
    }

    [Fact]
    public async Task ListOrders_two_orders_Newest_first_and_only_own()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        using var other = factory.ClientFor("u-2");
        var first = (await (await PostOrderAsync(client, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();
        var second = (await (await PostOrderAsync(client, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();
        await PostOrderAsync(other, ValidOrder);

        var orders = await client.GetFromJsonAsync<JsonElement>("/orders");

        Assert.Equal([second, first], orders.EnumerateArray().Select(order => order.GetProperty("orderId").GetString()));
    }

    [Fact]
    public async Task CancelOrder_confirmed_200_then_409_problem_details()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var orderId = (await (await PostOrderAsync(client, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();

        var first = await client.PostAsync($"/orders/{orderId}/cancel", content: null);
        var second = await client.PostAsync($"/orders/{orderId}/cancel", content: null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Cancelled", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, factory.Payments.Refunds[orderId!]);
    }

    [Fact]
    public async Task CancelOrder_payment_down_202_order_unchanged_for_now_and_completed_by_the_reminder()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var orderId = await PlaceAsync(client);
        factory.Payments.Down = true;

        var pending = await client.PostAsync($"/orders/{orderId}/cancel", content: null);

        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Equal($"/orders/{orderId}", pending.Headers.Location?.ToString());
        Assert.Equal("Confirmed", (await pending.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        factory.Payments.Down = false;
        Assert.True(await factory.Actors.FireReminderAsync(orderId, "cancel-order"));
        Assert.Equal("Cancelled", (await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CancelOrder_other_user_404()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        using var stranger = factory.ClientFor("u-2");
        var orderId = (await (await PostOrderAsync(owner, ValidOrder)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/orders/{orderId}/cancel", content: null)).StatusCode);
    }

    private static async Task<string> PlaceAsync(HttpClient client, string? idempotencyKey = null) =>
        (await (await PostOrderAsync(client, ValidOrder, idempotencyKey)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString()!;

    [Fact]
    public async Task GetOrderEvents_owner_200_the_log_with_sequence_type_time_and_data()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var orderId = await PlaceAsync(client);

        var events = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}/events");

        Assert.Equal(["OrderPlaced", "PaymentCaptured", "OrderConfirmed"], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], events.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        var placed = events[0];
        Assert.True(placed.TryGetProperty("occurredAt", out _));
        Assert.Equal(orderId, placed.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal(25.99m, placed.GetProperty("data").GetProperty("total").GetDecimal());
        Assert.Equal($"pay-{orderId}", events[1].GetProperty("data").GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task GetOrderEvents_other_user_404_and_admin_200()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        using var stranger = factory.ClientFor("u-2");
        using var admin = factory.ClientFor("admin-1", Roles.Admin);
        var orderId = await PlaceAsync(owner);

        var peek = await stranger.GetAsync($"/orders/{orderId}/events");

        Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        Assert.Equal("application/problem+json", peek.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/orders/{orderId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync("/orders/nope/events")).StatusCode);
    }

    [Fact]
    public async Task GetOrder_as_of_each_event_time_The_order_as_it_stood_then()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        factory.Payments.Down = true;
        var orderId = await PlaceAsync(client, "key-1");
        factory.Payments.Down = false;
        await PlaceAsync(client, "key-1");
        var times = (await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}/events")).EnumerateArray()
            .Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()).ToList();

        var placed = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}?asOf={Uri.EscapeDataString(times[0].ToString("O", CultureInfo.InvariantCulture))}");
        var confirmed = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}?asOf={Uri.EscapeDataString(times[^1].UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture))}");
        var before = await client.GetAsync($"/orders/{orderId}?asOf={Uri.EscapeDataString(times[0].AddTicks(-1).ToString("O", CultureInfo.InvariantCulture))}");

        Assert.Equal(4, times.Count);
        Assert.Equal("AwaitingPayment", placed.GetProperty("status").GetString());
        Assert.Equal("Confirmed", confirmed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal("application/problem+json", before.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2025-05-06")]
    [InlineData("2025-05-06T07:08:09")]
    [InlineData("2025-05-06T07:08:09 02:00")]
    [InlineData("2025-13-06T07:08:09Z")]
    [InlineData("")]
    public async Task GetOrder_bad_as_of_400_validation_problem(string asOf)
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        var orderId = await PlaceAsync(client);

        var response = await client.GetAsync($"/orders/{orderId}?asOf={Uri.EscapeDataString(asOf)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("asOf", out _));
    }

    [Fact]
    public async Task GetOrder_as_of_other_users_order_404()
    {
        await using var factory = new OrderServiceFactory();
        using var owner = factory.ClientFor("u-1");
        using var stranger = factory.ClientFor("u-2");
        var orderId = await PlaceAsync(owner);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/orders/{orderId}?asOf=2100-01-01T00:00:00Z")).StatusCode);
    }

    [Fact]
    public async Task Unpaid_order_past_its_payment_window_Cancelled_by_the_reminder()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.ClientFor("u-1");
        factory.Payments.Down = true;
        var orderId = await PlaceAsync(client);
        factory.Payments.Down = false;

        Assert.True(await factory.Actors.FireReminderAsync(orderId, "payment-window"));

        var order = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}");
        var events = await client.GetFromJsonAsync<JsonElement>($"/orders/{orderId}/events");
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        Assert.Equal("payment window expired", order.GetProperty("reason").GetString());
        Assert.Equal(["OrderPlaced", "PaymentDeferred", "OrderCancelled"], events.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["OrderSubmitted", "OrderPaymentDeferred", "OrderCancelled"], factory.Logs.PublishedTypes);
    }

    [Fact]
    public async Task Swagger_documents_the_events_and_as_of_endpoints()
    {
        await using var factory = new OrderServiceFactory();
        using var client = factory.CreateClient();

        var swagger = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

        var paths = swagger.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/orders/{orderId}/events", out var events), paths.GetRawText());
        Assert.True(events.TryGetProperty("get", out _));
        var getOrder = paths.GetProperty("/orders/{orderId}").GetProperty("get");
        Assert.Contains(getOrder.GetProperty("parameters").EnumerateArray(), parameter => parameter.GetProperty("name").GetString() == "asOf");
    }
}
