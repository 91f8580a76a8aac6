using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.PubSub;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// daprd's app health checks (<c>--enable-app-health-check</c>): the sidecar probes the app, starts its subscriptions
/// only once it is healthy, stops them while it is unhealthy, and refuses service invocation of it meanwhile.
/// </summary>
public sealed class AppHealthTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly AppHealthCheckOptions FastProbes = new()
    {
        Path = "/alive",
        ProbeInterval = TimeSpan.FromMilliseconds(50),
        ProbeTimeout = TimeSpan.FromMilliseconds(50),
        Threshold = 2,
    };

    [Fact]
    public async Task App_starting_unhealthy_gets_its_subscriptions_read_only_once_a_probe_finds_it_healthy()
    {
        var app = new FlakyApp(healthy: false);
        var starting = app.StartAsync();

        await Eventually.WaitAsync(() => Task.FromResult(app.Log.To("/alive").Count), n => n >= 3, Deadline, "three probes of an unhealthy app");
        Assert.Empty(app.Log.To("/dapr/subscribe"));

        app.Healthy = true;
        await using var harness = await starting.WaitAsync(Deadline);
        Assert.Single(app.Log.To("/dapr/subscribe"));

        // As daprd's probe, without the app token the sidecar sends on every other call.
        Assert.All(app.Log.To("/alive"), probe => Assert.Null(probe.Header("dapr-api-token")));
        Assert.Equal("app-secret", app.Log.To("/dapr/subscribe")[0].Header("dapr-api-token"));
        await harness.Client.PublishEventAsync("pubsub", "orders", new { n = 1 });
        await app.Log.WaitForAsync("/orders");
    }

    [Fact]
    public async Task Unhealthy_app_gets_no_events_and_no_invocations_until_it_is_healthy_again()
    {
        var app = new FlakyApp(healthy: true);
        await using var harness = await app.StartAsync();
        await harness.Client.PublishEventAsync("pubsub", "orders", new { n = 1 });
        await app.Log.WaitForAsync("/orders");

        app.Healthy = false;
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };
        var refused = await Eventually.WaitAsync(
            () => http.GetAsync(new Uri("/v1.0/invoke/subscriber/method/ping", UriKind.Relative)),
            response => response.StatusCode == HttpStatusCode.InternalServerError,
            Deadline,
            "invocation to be refused once the app is unhealthy");
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.Equal("failed to invoke, id: subscriber, err: rpc error: code = Internal desc = app is not in a healthy state", error.GetProperty("message").GetString());

        // As daprd, the status changes first and the subscriptions stop right after; once they have, pubsub.in-memory
        // drops what is published to a topic nobody subscribes to, as daprd's does.
        var subscriptions = harness.Sidecar.Services.GetRequiredService<SubscriptionManager>();
        await Eventually.WaitAsync(() => Task.FromResult(subscriptions.ReceivingCount), n => n == 0, Deadline, "the subscriptions to stop");
        await harness.Client.PublishEventAsync("pubsub", "orders", new { n = 2 });

        app.Healthy = true;
        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Client.PublishEventAsync("pubsub", "orders", new { n = 3 });
                return app.Log.To("/orders").Select(N).ToList();
            },
            seen => seen.Contains(3),
            Deadline,
            "events to reach the app once it is healthy again");
        Assert.DoesNotContain(2, app.Log.To("/orders").Select(N));
        using var answered = await http.GetAsync(new Uri("/v1.0/invoke/subscriber/method/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task Unhealthy_app_leaves_the_actor_placement_and_joins_again_once_healthy()
    {
        var healthy = true;
        var cluster = new LocalCluster();
        await using var host = await ActorApps.StartHostAsync(
            "actors",
            cluster,
            new ActorProbe(),
            configureApp: app => app.MapGet("/alive", () => Volatile.Read(ref healthy) ? Results.Ok() : Results.StatusCode(503)),
            configureSidecar: o => o with { AppHealthCheck = FastProbes });
        var runtime = host.Sidecar.Services.GetRequiredService<Actors.ActorRuntime>();
        await ActorApps.Proxy(host, "a-1").SetValueAsync("before");
        Assert.Same(runtime, runtime.Placement.Table.Owner(ActorApps.ActorType, "a-1"));

        Volatile.Write(ref healthy, false);
        await Eventually.WaitAsync(() => Task.FromResult(runtime.Placement.Table.Owner(ActorApps.ActorType, "a-1")), owner => owner is null, Deadline, "the unhealthy app to leave the placement");

        Volatile.Write(ref healthy, true);
        await Eventually.WaitAsync(() => Task.FromResult(runtime.Placement.Table.Owner(ActorApps.ActorType, "a-1")), owner => ReferenceEquals(owner, runtime), Deadline, "the app to join again once healthy");
        Assert.Equal("before", await ActorApps.Proxy(host, "a-1").GetValueAsync());
    }

    [Fact]
    public async Task Sidecar_without_an_app_port_is_ready_at_once_with_health_checks_on_as_daprd_probes_only_an_app_channel()
    {
        await using var harness = await SidecarHarness.StartAsync(
            "no-port",
            new Dictionary<string, string>(),
            configureSidecar: o => o with { AppHealthCheck = FastProbes });

        Assert.True(harness.Sidecar.AppReady.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StartAsync_refuses_a_probe_timeout_longer_than_the_interval_as_daprd_does()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SidecarHarness.StartAsync(
            "subscriber",
            new Dictionary<string, string>(),
            configureSidecar: o => o with { AppHealthCheck = new AppHealthCheckOptions { ProbeInterval = TimeSpan.FromSeconds(1), ProbeTimeout = TimeSpan.FromSeconds(2) } }));

        Assert.Contains("value for 'health-probe-timeout' must be smaller than 'health-probe-interval'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sidecar_stopping_during_a_grpc_probe_stops_cleanly()
    {
        // A probe the app never answers is under way when the sidecar stops: its cancelled gRPC call is the stop, not a
        // failure of DisposeAsync (it surfaced as RpcException Cancelled, now and then, in the gRPC health-check test).
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var probed = new HangingHealthCheck();
        builder.Services.AddSingleton(probed);
        await using var app = builder.Build();
        app.MapGrpcService<HangingHealthCheck>();
        await app.StartAsync();

        var resources = Directory.CreateTempSubdirectory("daprshop-health-");
        try
        {
            var sidecar = await Sidecar.StartAsync(new SidecarOptions
            {
                AppId = "grpc-app",
                AppPort = port,
                AppProtocol = SidecarOptions.GrpcAppProtocol,
                HttpPort = FreePort.Next(),
                GrpcPort = FreePort.Next(),
                ResourcesPaths = [resources.FullName],
                BaseDirectory = resources.FullName,
                AppHealthCheck = new AppHealthCheckOptions { ProbeInterval = TimeSpan.FromSeconds(30), ProbeTimeout = TimeSpan.FromSeconds(20) },
            }, new LocalCluster());
            await probed.Arrived.Task.WaitAsync(Deadline);

            await sidecar.DisposeAsync();

            Assert.False(sidecar.AppReady.IsCompletedSuccessfully);
        }
        finally
        {
            resources.Delete(recursive: true);
        }
    }

    private static int N(RecordedRequest request) => request.Json.GetProperty("data").GetProperty("n").GetInt32();

    /// <summary>App "subscriber": <c>/alive</c> answers 200 while <see cref="Healthy"/>, 503 otherwise; it subscribes to topic "orders".</summary>
    private sealed class FlakyApp(bool healthy)
    {
        private volatile bool _healthy = healthy;

        public RequestLog Log { get; } = new();

        public bool Healthy
        {
            get => _healthy;
            set => _healthy = value;
        }

        public Task<SidecarHarness> StartAsync() => SidecarHarness.StartAsync(
            "subscriber",
            new Dictionary<string, string> { ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.in-memory") },
            app =>
            {
                app.MapGet("/alive", async (HttpContext http) =>
                {
                    await Log.RecordAsync(http);
                    return Healthy ? Results.Ok() : Results.StatusCode(503);
                });
                app.MapGet("/dapr/subscribe", async (HttpContext http) =>
                {
                    await Log.RecordAsync(http);
                    return Results.Text("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""", "application/json");
                });
                app.MapGet("/dapr/config", () => Results.NotFound());
                app.MapGet("/ping", () => Results.Ok());
                app.MapPost("/orders", async (HttpContext http) =>
                {
                    await Log.RecordAsync(http);
                    return Results.Ok();
                });
            },
            configureSidecar: o => o with { AppHealthCheck = FastProbes, AppApiToken = "app-secret" });
    }

    /// <summary>An app's <c>AppCallbackHealthCheck</c> that never answers a probe, and says when one arrived.</summary>
    private sealed class HangingHealthCheck : Dapr.AppCallback.Autogen.Grpc.v1.AppCallbackHealthCheck.AppCallbackHealthCheckBase
    {
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<Dapr.AppCallback.Autogen.Grpc.v1.HealthCheckResponse> HealthCheck(Google.Protobuf.WellKnownTypes.Empty request, global::Grpc.Core.ServerCallContext context)
        {
            Arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new();
        }
    }
}
