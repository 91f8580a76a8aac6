using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task CheckHealth_sidecar_without_app_is_healthy()
    {
        await using var harness = await SidecarHarness.StartAsync("lonely", new Dictionary<string, string>());

        Assert.True(await harness.Client.CheckHealthAsync());
        await harness.Client.WaitForSidecarAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
    }

    [Fact]
    public async Task App_that_never_opens_its_port_fails_AppReady_once_the_timeout_has_passed_on_the_sidecar_clock()
    {
        var clock = new FakeTimeProvider();
        var options = new SidecarOptions
        {
            AppId = "absent",
            AppPort = FreePort.Next(),
            HttpPort = FreePort.Next(),
            GrpcPort = FreePort.Next(),
            Time = clock,
        };
        await using var sidecar = await Sidecar.StartAsync(options, new LocalCluster());

        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(10), () => sidecar.AppReady.IsCompleted, TimeSpan.FromSeconds(10), "the wait for the app to give up");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => sidecar.AppReady);
        Assert.Equal($"app 'absent' did not open port {options.AppPort} within 60s", error.Message);
        Assert.False(sidecar.Context.App.IsReady);
    }

    [Fact]
    public async Task Grpc_method_nobody_implements_answers_unimplemented()
    {
        await using var harness = await SidecarHarness.StartAsync("lonely", new Dictionary<string, string>());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.GetConfiguration("nothing", ["a"]));
        var rpc = Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
        Assert.Equal(StatusCode.Unimplemented, rpc.StatusCode);
    }

    [Fact]
    public async Task Api_token_missing_is_refused_on_http_and_grpc()
    {
        await using var harness = await SidecarHarness.StartAsync(
            "guarded",
            new Dictionary<string, string>(),
            configureSidecar: o => o with { DaprApiToken = "s3cret" });
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var refused = await http.GetAsync(new Uri("/v1.0/metadata", UriKind.Relative));
        var health = await http.GetAsync(new Uri("/v1.0/healthz", UriKind.Relative));
        using var anonymous = harness.CreateClient();
        var grpcError = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.GetConfiguration("nothing", ["a"]));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("invalid api token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, health.StatusCode);
        var rpc = Assert.IsType<RpcException>(grpcError is DaprException { InnerException: { } inner } ? inner : grpcError);
        Assert.Equal(StatusCode.Unauthenticated, rpc.StatusCode);
    }
}
