using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// One order is one trace, read back from the dashboard the runner started (its telemetry API): the caller's trace id
/// reaches every service and the sidecars, through service invocation, the actor call, state, payment, the outbox's
/// CloudEvent, the delivery to notification-service and its output binding, and every span's parent is in the trace.
/// A hop that drops or restarts the trace context fails it.
/// </summary>
[Collection(TracedShopDefinition.Name)]
public sealed class TraceTests(TracedShopFixture shop)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The spans one confirmed order must have, by the resource (service.name) that sent them.</summary>
    private static readonly (string Service, string Span)[] Expected =
    [
        ("auth-gateway", "POST /api/orders/{**rest}"),
        ("daprshop-sidecars", "CallLocal/order-service/orders"),
        ("order-service", "POST /orders/"),
        ("daprshop-sidecars", "CallActor/OrderActor/PlaceAsync"),
        ("order-service", "PUT actors/{actorTypeName}/{actorId}/method/{methodName}"),
        ("daprshop-sidecars", "/dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction"),
        ("daprshop-sidecars", "CallLocal/payment-service/payments"),
        ("payment-service", "POST /payments/"),
        ("daprshop-sidecars", "pubsub/orders"),
        ("notification-service", "POST /events/orders"),
        ("daprshop-sidecars", "/dapr.proto.runtime.v1.Dapr/InvokeBinding"),
    ];

    [Fact]
    public async Task One_order_One_trace_through_every_service_and_sidecar_each_span_under_its_parent()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var (traceId, clientSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        using var request = shopper.Request(
            HttpMethod.Post,
            "/api/orders",
            new { items = new[] { new { sku = "SKU-TRACE", quantity = 1, unitPrice = 9.90m } }, currency = "EUR", paymentMethod = "tok_visa" },
            Guid.NewGuid().ToString());
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{clientSpan.ToHexString()}-01");

        using (var placed = await shop.Gateway.SendAsync(request))
        {
            await Expect.JsonAsync(placed, 201);
        }

        using var dashboard = new HttpClient { BaseAddress = shop.DashboardUrl ?? throw new InvalidOperationException($"no dashboard in the ready line\n{shop.Output}") };
        var spans = await Eventually.WaitAsync(
            () => SpansAsync(dashboard, traceId.ToHexString()),
            found => Expected.All(e => found.Any(s => s.Service == e.Service && s.Name == e.Span)),
            Deadline,
            "the order's trace to hold every expected span");

        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.All(spans, span => Assert.True(
            span.ParentSpanId == clientSpan.ToHexString() || ids.Contains(span.ParentSpanId ?? string.Empty),
            $"{span.Service} {span.Name} has parent {span.ParentSpanId}, which is not in the trace"));
        Assert.Single(spans, s => s.ParentSpanId == clientSpan.ToHexString());
    }

    private static async Task<List<Span>> SpansAsync(HttpClient dashboard, string traceId)
    {
        using var response = await dashboard.GetAsync(new Uri($"/api/telemetry/traces/{traceId}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var spans = new List<Span>();
        foreach (var resource in json.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    Assert.Equal(traceId, span.GetProperty("traceId").GetString());
                    spans.Add(new Span(
                        service,
                        span.GetProperty("name").GetString()!,
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null));
                }
            }
        }

        return spans;
    }

    private sealed record Span(string Service, string Name, string SpanId, string? ParentSpanId);
}
