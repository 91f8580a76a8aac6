using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Resiliency;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

// Dapr.Client 1.19 marks its service invocation methods obsolete in favour of plain HttpClient;
// services still call them, so the sidecar must serve them exactly as daprd does.
#pragma warning disable CS0618

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// Resiliency policies (<c>kind: Resiliency</c>) applied by the local sidecar, driven through the
/// Dapr .NET SDK: retries, circuit breakers and timeouts on service invocation, inbound retries on
/// pub/sub delivery, and outbound policies on a component. Policies use durations of a few
/// milliseconds; waits are conditions with deadlines.
/// </summary>
public sealed class ResiliencyConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Invoke_app_answering_500_twice_then_200_is_retried_and_the_caller_gets_200()
    {
        await using var apps = await Apps.StartAsync(
            Resiliency("retries: { threeTimes: { policy: constant, duration: 10ms, maxRetries: 3 } }", "callee: { retry: threeTimes }"),
            call => call <= 2 ? Results.Text("not yet", statusCode: 500) : Results.Text("done"));
        var request = apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Post, "callee", "flaky");
        request.Content = new StringContent("""{"n":1}""", Encoding.UTF8, "application/json");

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, apps.Log.All.Count);
        Assert.All(apps.Log.All, r => Assert.Equal("""{"n":1}""", r.BodyText));
    }

    [Fact]
    public async Task Invoke_retries_spent_the_caller_gets_the_apps_last_status_headers_and_body()
    {
        await using var apps = await Apps.StartAsync(
            Resiliency("retries: { twice: { duration: 5ms, maxRetries: 2 } }", "callee: { retry: twice }"),
            call => Results.Text($"down #{call}", statusCode: 503));

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "flaky"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("down #3", await response.Content.ReadAsStringAsync());
        Assert.Equal("3", response.Headers.GetValues("x-call").Single());
        Assert.Equal(3, apps.Log.All.Count);
    }

    [Fact]
    public async Task Invoke_status_outside_matching_is_answered_at_once_without_retry()
    {
        await using var apps = await Apps.StartAsync(
            Resiliency("""retries: { serverErrors: { duration: 5ms, maxRetries: 3, matching: { httpStatusCodes: "500-599" } } }""", "callee: { retry: serverErrors }"),
            _ => Results.Text("no such order", statusCode: 404));

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "flaky"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(apps.Log.All);
    }

    [Fact]
    public async Task Invoke_body_streamed_without_a_length_is_not_retried()
    {
        await using var apps = await Apps.StartAsync(
            Resiliency("retries: { twice: { duration: 5ms, maxRetries: 2 } }", "callee: { retry: twice }"),
            _ => Results.Text("down", statusCode: 503));
        using var http = new HttpClient { BaseAddress = apps.Caller.Sidecar.HttpEndpoint };
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("streamed")));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1.0/invoke/callee/method/flaky") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("streamed", Assert.Single(apps.Log.All).BodyText);
    }

    [Fact]
    public async Task Invoke_breaker_opens_after_the_trip_rejects_without_calling_then_half_opens_and_closes_on_success()
    {
        var healthy = false;
        await using var apps = await Apps.StartAsync(
            Resiliency(
                // The timeout must outlast the five rejected calls below, even on a loaded CI machine (300 ms did not).
                "circuitBreakers: { calleeBreaker: { maxRequests: 1, timeout: 2s, trip: consecutiveFailures >= 3 } }",
                "callee: { circuitBreaker: calleeBreaker }"),
            _ => Volatile.Read(ref healthy) ? Results.Text("ok") : Results.Text("down", statusCode: 503));
        var breaker = apps.Caller.Sidecar.Services.GetRequiredService<IResiliencyPolicyProvider>().ForApp("callee").CircuitBreaker!;

        for (var i = 0; i < 3; i++)
        {
            using var failed = await apps.InvokeAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        Assert.Equal(CircuitBreakerState.Open, breaker.State);
        for (var i = 0; i < 5; i++)
        {
            using var rejected = await apps.InvokeAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, rejected.StatusCode);
            var error = await rejected.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
            Assert.Equal("failed to invoke, id: callee, err: circuit breaker is open", error.GetProperty("message").GetString());
        }

        Assert.Equal(3, apps.Log.All.Count);

        Volatile.Write(ref healthy, true);
        await Eventually.WaitAsync(() => breaker.State == CircuitBreakerState.HalfOpen, Deadline, "the breaker to half-open after its timeout");
        using (var probe = await apps.InvokeAsync())
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        using var after = await apps.InvokeAsync();
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(5, apps.Log.All.Count);
    }

    [Fact]
    public async Task Invoke_timeout_cuts_a_slow_app_call_with_context_deadline_exceeded()
    {
        await using var apps = await Apps.StartAsync(
            Resiliency("timeouts: { quick: 100ms }", "callee: { timeout: quick }"),
            _ => Results.Text("late"),
            delay: TimeSpan.FromSeconds(30));
        var started = TimeProvider.System.GetTimestamp();

        using var response = await apps.InvokeAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.Equal("failed to invoke, id: callee, err: context deadline exceeded", error.GetProperty("message").GetString());
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Subscriber_answering_retry_is_retried_per_the_inbound_policy_then_the_event_lands_on_its_dead_letter_topic()
    {
        // daprd delivers inside ComponentInboundPolicy(pubsub) and dead-letters only once that policy
        // gives up (dapr/dapr pkg/runtime/subscription/subscription.go). It has no built-in inbound
        // retry, so without this policy the event would go to the dead-letter topic after one delivery.
        var log = new RequestLog();
        var resources = new Dictionary<string, string>
        {
            ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.in-memory"),
            ["resiliency.yaml"] = ResiliencyDocument("""
                policies:
                  retries:
                    delivery: { policy: constant, duration: 10ms, maxRetries: 3 }
                targets:
                  components:
                    pubsub:
                      inbound: { retry: delivery }
                """),
        };
        await using var app = await SidecarHarness.StartAsync(
            "subscriber",
            resources,
            web =>
            {
                web.MapGet("/dapr/subscribe", () => Results.Text(
                    """
                    [
                      {"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"orders-dead"},
                      {"pubsubname":"pubsub","topic":"orders-dead","route":"/dead"}
                    ]
                    """,
                    "application/json"));
                web.MapPost("/{**path}", async (HttpContext http) =>
                {
                    var request = await log.RecordAsync(http);
                    return request.Path == "/orders" ? Results.Ok(new { status = "RETRY" }) : Results.Ok();
                });
            });

        await app.Client.PublishEventAsync("pubsub", "orders", new { orderId = "o-7" });

        var dead = Assert.Single(await log.WaitForAsync("/dead"));
        var deliveries = log.To("/orders");
        Assert.Equal(4, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(dead.Json.GetProperty("id").GetString(), d.Json.GetProperty("id").GetString()));
        Assert.Equal("o-7", dead.Json.GetProperty("data").GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task GetSecretAsync_outbound_breaker_opens_on_store_errors_and_then_rejects_every_call()
    {
        var resources = new Dictionary<string, string>
        {
            ["secrets.json"] = """{"present":"yes"}""",
            ["secretstore.yaml"] = ComponentYaml.Component("localsecrets", "secretstores.local.file", ("secretsFile", "secrets.json")),
            ["resiliency.yaml"] = ResiliencyDocument("""
                policies:
                  circuitBreakers:
                    storeBreaker: { trip: consecutiveFailures >= 2, timeout: 1h }
                targets:
                  components:
                    localsecrets:
                      outbound: { circuitBreaker: storeBreaker }
                """),
        };
        await using var app = await SidecarHarness.StartAsync("secrets-app", resources);

        var missing = await Assert.ThrowsAsync<DaprException>(() => app.Client.GetSecretAsync("localsecrets", "missing"));
        await Assert.ThrowsAsync<DaprException>(() => app.Client.GetSecretAsync("localsecrets", "missing"));
        var rejected = await Assert.ThrowsAsync<DaprException>(() => app.Client.GetSecretAsync("localsecrets", "present"));

        Assert.Contains("secret missing not found", Assert.IsType<RpcException>(missing.InnerException).Status.Detail, StringComparison.Ordinal);
        var rpc = Assert.IsType<RpcException>(rejected.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("failed getting secret with key present from secret store localsecrets: circuit breaker is open", rpc.Status.Detail);
    }

    [Fact]
    public async Task StartAsync_trip_that_does_not_parse_stops_start_up_naming_the_file_and_field()
    {
        var resources = SidecarHarness.WriteResources(new Dictionary<string, string>
        {
            ["resiliency.yaml"] = ResiliencyDocument("policies: { circuitBreakers: { cb: { trip: 'consecutiveFailures >> 5' } } }"),
        });
        try
        {
            var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Sidecar.StartAsync(
                new SidecarOptions { AppId = "orders", ResourcesPaths = [resources], HttpPort = FreePort.Next(), GrpcPort = FreePort.Next() },
                new LocalCluster()));

            Assert.Equal("spec.policies.circuitBreakers.cb.trip", error.Field);
            Assert.EndsWith("resiliency.yaml", error.File, StringComparison.Ordinal);
            Assert.Contains("'consecutiveFailures >> 5' unexpected '>", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(resources, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_target_naming_an_unknown_policy_stops_start_up()
    {
        var resources = SidecarHarness.WriteResources(new Dictionary<string, string>
        {
            ["resiliency.yaml"] = ResiliencyDocument("targets: { apps: { payment-service: { circuitBreaker: paymentBreaker } } }"),
        });
        try
        {
            var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Sidecar.StartAsync(
                new SidecarOptions { AppId = "orders", ResourcesPaths = [resources], HttpPort = FreePort.Next(), GrpcPort = FreePort.Next() },
                new LocalCluster()));

            Assert.Equal("spec.targets.apps.payment-service.circuitBreaker", error.Field);
            Assert.Contains("'paymentBreaker'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(resources, recursive: true);
        }
    }

    private static string ResiliencyDocument(string spec) =>
        "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: test-resiliency\nspec:\n"
        + string.Concat(spec.Split('\n').Select(line => "  " + line.TrimEnd() + "\n"));

    /// <summary>A Resiliency document with <paramref name="policies"/> under <c>spec.policies</c> and <paramref name="apps"/> under <c>spec.targets.apps</c>.</summary>
    private static string Resiliency(string policies, string apps) =>
        ResiliencyDocument($"policies: {{ {policies} }}\ntargets: {{ apps: {{ {apps} }} }}");

    /// <summary>
    /// "caller" (a sidecar with the policy) and "callee" (an app whose <c>/flaky</c> answers by call
    /// number, after an optional delay that ends when the request is aborted).
    /// </summary>
    private sealed class Apps : IAsyncDisposable
    {
        private Apps(SidecarHarness caller, SidecarHarness callee, RequestLog log)
        {
            Caller = caller;
            Callee = callee;
            Log = log;
        }

        public SidecarHarness Caller { get; }

        public SidecarHarness Callee { get; }

        public RequestLog Log { get; }

        public static async Task<Apps> StartAsync(string resiliencyYaml, Func<int, IResult> answer, TimeSpan? delay = null)
        {
            var log = new RequestLog();
            var calls = 0;
            var cluster = new LocalCluster();
            var callee = await SidecarHarness.StartAsync(
                "callee",
                new Dictionary<string, string>(),
                app => app.Map("/flaky", async (HttpContext http) =>
                {
                    await log.RecordAsync(http);
                    var call = Interlocked.Increment(ref calls);
                    http.Response.Headers["x-call"] = call.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (delay is { } d)
                    {
                        await Task.Delay(d, http.RequestAborted);
                    }

                    return answer(call);
                }),
                cluster: cluster);
            var caller = await SidecarHarness.StartAsync(
                "caller",
                new Dictionary<string, string> { ["resiliency.yaml"] = resiliencyYaml },
                cluster: cluster);
            return new Apps(caller, callee, log);
        }

        public Task<HttpResponseMessage> InvokeAsync() =>
            Caller.Client.InvokeMethodWithResponseAsync(Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "flaky"));

        public async ValueTask DisposeAsync()
        {
            await Caller.DisposeAsync();
            await Callee.DisposeAsync();
        }
    }
}
