using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// PostgreSQL out of reach at start, and restarted under a running sidecar: one clear line at start; errors with
/// daprd's codes meanwhile, recovery after, nothing acknowledged lost.
/// </summary>
public sealed class PostgresOutageTests
{
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task StartAsync_postgres_out_of_reach_stops_within_the_init_timeout_naming_component_and_address(string version)
    {
        var port = FreePort.Next();
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => SidecarHarness.StartAsync(
            "unreachable",
            new Dictionary<string, string> { ["c.yaml"] = ComponentYaml.Component("statestore", "state.postgresql", version, ("connectionString", $"host=127.0.0.1 port={port} user=postgres database=x"), ("timeout", "5s")) }));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - started}");
        Assert.Contains("component 'statestore' spec.metadata.connectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains($"cannot use PostgreSQL at 127.0.0.1:{port} (connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Postgres_restarted_during_a_run_fails_calls_meanwhile_then_recovers_with_nothing_lost()
    {
        await using var postgres = PostgresServer.Start("outage");
        var connection = await postgres.CreateDatabaseAsync();
        await using var app = await SidecarHarness.StartAsync(
            "outage-app",
            new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.Component("statestore", "state.postgresql", "v2", ("connectionString", connection)) });
        await app.Client.SaveStateAsync("statestore", "before", "kept");

        postgres.Kill();

        var read = await Assert.ThrowsAnyAsync<Exception>(() => app.Client.GetStateAsync<string>("statestore", "before"));
        Assert.Equal(StatusCode.Internal, Rpc(read).StatusCode);
        Assert.StartsWith("fail to get before from state store statestore", Rpc(read).Status.Detail, StringComparison.Ordinal);

        postgres.Restart();

        var value = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await app.Client.GetStateAsync<string>("statestore", "before");
                }
                catch (DaprException)
                {
                    return null;
                }
            },
            v => v is not null,
            TimeSpan.FromSeconds(20),
            "the state store to answer again");
        Assert.Equal("kept", value);
        await app.Client.SaveStateAsync("statestore", "after", "saved");
        Assert.Equal("saved", await app.Client.GetStateAsync<string>("statestore", "after"));
    }

    private static RpcException Rpc(Exception error) =>
        Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
}
