using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;

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

    /// <summary>
    /// Where the browser test saves its screenshot of the trace view: <c>DAPRSHOP_SCREENSHOT_DIR</c> when set (the
    /// README's image is made with <c>DAPRSHOP_SCREENSHOT_DIR=docs/images dotnet test tests/DaprShop.EndToEnd.Tests
    /// --filter Dashboard_trace_view</c>), else a temporary folder.
    /// </summary>
    private static (string Folder, bool Temporary) ScreenshotDirectory() =>
        Environment.GetEnvironmentVariable("DAPRSHOP_SCREENSHOT_DIR") is { Length: > 0 } folder
            ? (Path.GetFullPath(folder, RepositoryFolder.Path), false)
            : (Directory.CreateTempSubdirectory("daprshop-trace-").FullName, true);

    [Fact]
    public async Task One_order_One_trace_through_every_service_and_sidecar_each_span_under_its_parent()
    {
        var (traceId, clientSpan) = await PlaceTracedOrderAsync();
        using var dashboard = Dashboard();

        var spans = await WholeTraceAsync(dashboard, traceId);

        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.All(spans, span => Assert.True(
            span.ParentSpanId == clientSpan.ToHexString() || ids.Contains(span.ParentSpanId ?? string.Empty),
            $"{span.Service} {span.Name} has parent {span.ParentSpanId}, which is not in the trace"));
        Assert.Single(spans, s => s.ParentSpanId == clientSpan.ToHexString());
    }

    [Fact]
    public async Task Dashboard_trace_view_Lists_the_order_s_spans_from_every_service_in_a_browser()
    {
        var (traceId, _) = await PlaceTracedOrderAsync();
        using (var dashboard = Dashboard())
        {
            await WholeTraceAsync(dashboard, traceId);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
        });
        // Tall enough for every span's row: the dashboard renders only the rows in view.
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 3000 } });
        await page.GotoAsync(new Uri(shop.DashboardUrl!, $"/traces/detail/{traceId.ToHexString()}").ToString());

        var (folder, temporary) = ScreenshotDirectory();
        Directory.CreateDirectory(folder);
        try
        {
            // As the dashboard shows them: a span with rpc.* attributes as "RPC {service}/{method}".
            foreach (var span in new[] { "RPC ServiceInvocation/orders", "CallActor/OrderActor/PlaceAsync", "RPC ServiceInvocation/payments", "POST /payments/", "pubsub/orders", "POST /events/orders" })
            {
                await page.GetByText(span, new PageGetByTextOptions { Exact = false }).First.WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Deadline.TotalMilliseconds });
            }
        }
        catch (TimeoutException e)
        {
            temporary = false; // kept for whoever reads the failure
            var shot = Path.Combine(folder, "order-trace-failed.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            throw new TimeoutException($"{e.Message}\nThe page ({page.Url}) as it was: {shot}\n{(await page.InnerTextAsync("body"))[..Math.Min(2000, (await page.InnerTextAsync("body")).Length)]}", e);
        }

        foreach (var service in new[] { "auth-gateway", "order-service", "payment-service", "notification-service" })
        {
            Assert.True(await page.GetByText(service, new PageGetByTextOptions { Exact = false }).CountAsync() > 0, $"the trace view names no span of {service}");
        }

        await page.SetViewportSizeAsync(1600, 1000);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "order-trace.png"), FullPage = false });
        if (temporary)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Debian's chromium (CI installs it; see .ci/run), or <c>CHROMIUM</c> when set.</summary>
    private static string Chromium =>
        Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } given ? given
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("No chromium for the browser test: install Debian's chromium package (apt-get install chromium), or set CHROMIUM to a Chromium executable.");

    /// <summary>Places a confirmed order under a trace id of the test's own (its <c>traceparent</c>); returns the trace id and the client's span id.</summary>
    private async Task<(ActivityTraceId TraceId, ActivitySpanId ClientSpan)> PlaceTracedOrderAsync()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        var (traceId, clientSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        using var request = shopper.Request(
            HttpMethod.Post,
            "/api/orders",
            new { items = new[] { new { sku = "SKU-TRACE", quantity = 1, unitPrice = 9.90m } }, currency = "EUR", paymentMethod = "tok_visa" },
            Guid.NewGuid().ToString());
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{clientSpan.ToHexString()}-01");
        using var placed = await shop.Gateway.SendAsync(request);
        await Expect.JsonAsync(placed, 201);
        return (traceId, clientSpan);
    }

    private HttpClient Dashboard() =>
        new() { BaseAddress = shop.DashboardUrl ?? throw new InvalidOperationException($"no dashboard in the ready line\n{shop.Output}") };

    /// <summary>The order's spans once the dashboard has every expected one (exports come in batches, every few seconds).</summary>
    private static Task<List<Span>> WholeTraceAsync(HttpClient dashboard, ActivityTraceId traceId) =>
        Eventually.WaitAsync(
            () => SpansAsync(dashboard, traceId.ToHexString()),
            found => Expected.All(e => found.Any(s => s.Service == e.Service && s.Name == e.Span)),
            Deadline,
            "the order's trace to hold every expected span");

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
