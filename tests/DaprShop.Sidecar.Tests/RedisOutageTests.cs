using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// Redis going away under a running sidecar and coming back: calls fail with daprd's errors meanwhile, work again once
/// Redis is back, and nothing acknowledged before the outage is lost (the server syncs its append-only file on every
/// write, as a production Redis would be set up).
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Redis_restarted_during_a_run_fails_calls_meanwhile_then_recovers_with_nothing_lost()
    {
        await using var redis = RedisServer.Start("outage");
        var log = new RequestLog();
        (string, string)[] connection = [("redisHost", redis.Address), ("redisDB", "1")];
        await using var app = await SidecarHarness.StartAsync(
            "outage-app",
            new Dictionary<string, string>
            {
                ["statestore.yaml"] = ComponentYaml.Component("statestore", "state.redis", connection),
                ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.redis", connection),
            },
            web =>
            {
                web.MapGet("/dapr/subscribe", () => Results.Text("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""", "application/json"));
                web.MapPost("/orders", async (HttpContext http) =>
                {
                    await log.RecordAsync(http);
                    return Results.Ok();
                });
            });
        await app.Client.SaveStateAsync("statestore", "before", "kept");
        await app.Client.PublishEventAsync("pubsub", "orders", new { n = 1 });
        await log.WaitForAsync("/orders");

        redis.Kill();

        var read = await Assert.ThrowsAnyAsync<Exception>(() => app.Client.GetStateAsync<string>("statestore", "before"));
        Assert.Equal(StatusCode.Internal, Rpc(read).StatusCode);
        Assert.StartsWith("fail to get before from state store statestore", Rpc(read).Status.Detail, StringComparison.Ordinal);
        var publish = await Assert.ThrowsAnyAsync<Exception>(() => app.Client.PublishEventAsync("pubsub", "orders", new { n = 2 }));
        Assert.Equal(StatusCode.Internal, Rpc(publish).StatusCode);
        Assert.Contains("error when publishing to topic orders in pubsub pubsub", Rpc(publish).Status.Detail, StringComparison.Ordinal);

        redis.Restart();

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
            Recovery,
            "the state store to answer again");
        Assert.Equal("kept", value);
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    await app.Client.PublishEventAsync("pubsub", "orders", new { n = 3 });
                    return true;
                }
                catch (DaprException)
                {
                    return false;
                }
            },
            ok => ok,
            Recovery,
            "a publish to succeed again");
        await Eventually.WaitAsync(() => log.To("/orders").Any(r => r.Json.GetProperty("data").GetProperty("n").GetInt32() == 3), Recovery, "the subscription to deliver again");
        Assert.DoesNotContain(log.To("/orders"), r => r.Json.GetProperty("data").GetProperty("n").GetInt32() == 2);
    }

    private static RpcException Rpc(Exception error) =>
        Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
}
