using System.Text.Json;
using Dapr.Client;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StackExchange.Redis;

namespace DaprShop.Sidecar.Tests.PubSub;

/// <summary>
/// <c>pubsub.redis</c> through the official SDK, with Redis read directly where daprd's layout matters: streams per
/// topic with <c>data</c> (and <c>metadata</c>) fields, one consumer group per app, acknowledgement after handling,
/// redelivery of what a crashed sidecar read and never acknowledged, and daprd 1.18's handling of failures.
/// </summary>
public sealed class RedisStreamsTests : IAsyncLifetime
{
    private const string Pubsub = "pubsub";
    private const string Subscriptions = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";
    private readonly int _database = RedisServer.Shared.NextDatabase();
    private ConnectionMultiplexer _redis = null!;

    private IDatabase Db => _redis.GetDatabase(_database);

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task PublishEventAsync_adds_the_cloud_event_to_the_topic_stream_and_the_group_acknowledges_it()
    {
        var cluster = new LocalCluster();
        var log = new RequestLog();
        await using var subscriber = await StartSubscriberAsync("notifier", log, cluster: cluster);
        await using var publisher = await SidecarHarness.StartAsync("checkout", Resources(), cluster: cluster);

        await publisher.Client.PublishEventAsync(Pubsub, "orders", new { orderId = "o-1" });

        var delivered = Assert.Single(await log.WaitForAsync("/orders"));
        Assert.Equal("o-1", delivered.Json.GetProperty("data").GetProperty("orderId").GetString());
        var entry = Assert.Single(await Db.StreamRangeAsync("orders"));
        Assert.Equal(["data"], entry.Values.Select(v => (string)v.Name!));
        var stored = JsonDocument.Parse((string)entry["data"]!).RootElement;
        Assert.Equal(delivered.Json.GetProperty("id").GetString(), stored.GetProperty("id").GetString());
        Assert.Equal("checkout", stored.GetProperty("source").GetString());
        var group = Assert.Single(await Db.StreamGroupInfoAsync("orders"));
        Assert.Equal("notifier", group.Name);
        await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount, n => n == 0, TimeSpan.FromSeconds(5), "the message to be acknowledged");
        Assert.Equal(entry.Id, (await Db.StreamGroupInfoAsync("orders"))[0].LastDeliveredId);
    }

    [Fact]
    public async Task PublishEvent_http_with_metadata_adds_a_metadata_field()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync("notifier", log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        using var response = await http.PostAsync(new Uri("/v1.0/publish/pubsub/orders?metadata.priority=high", UriKind.Relative), new StringContent("{\"n\":1}", System.Text.Encoding.UTF8, "application/json"));

        response.EnsureSuccessStatusCode();
        await log.WaitForAsync("/orders");
        var entry = Assert.Single(await Db.StreamRangeAsync("orders"));
        Assert.Equal(["data", "metadata"], entry.Values.Select(v => (string)v.Name!));
        Assert.Equal("high", JsonDocument.Parse((string)entry["metadata"]!).RootElement.GetProperty("priority").GetString());
    }

    [Fact]
    public async Task Two_apps_each_get_every_event_once_and_a_new_group_reads_from_the_stream_start()
    {
        var cluster = new LocalCluster();
        var first = new RequestLog();
        var second = new RequestLog();
        await using var a = await StartSubscriberAsync("app-a", first, cluster: cluster);
        for (var n = 1; n <= 5; n++)
        {
            await a.Client.PublishEventAsync(Pubsub, "orders", new { n });
        }

        // app-b subscribes after the events were published: its new group starts at the stream's first entry.
        await using var b = await StartSubscriberAsync("app-b", second, cluster: cluster);

        Assert.Equal([1, 2, 3, 4, 5], (await first.WaitForAsync("/orders", 5)).Select(N).Order());
        Assert.Equal([1, 2, 3, 4, 5], (await second.WaitForAsync("/orders", 5)).Select(N).Order());
        Assert.Equal(["app-a", "app-b"], (await Db.StreamGroupInfoAsync("orders")).Select(g => g.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Message_a_crashed_sidecar_read_and_never_acknowledged_is_delivered_after_restart()
    {
        // What a sidecar that died mid-delivery leaves: the group read the entry (it is pending for the consumer
        // "notifier") and never acknowledged it.
        await Db.StreamCreateConsumerGroupAsync("orders", "notifier", "0", createStream: true);
        await Db.StreamAddAsync("orders", "data", """{"id":"ev-1","specversion":"1.0","source":"checkout","type":"com.dapr.event.sent","topic":"orders","pubsubname":"pubsub","datacontenttype":"application/json","data":{"n":7}}""");
        var read = await Db.StreamReadGroupAsync("orders", "notifier", "notifier", ">", 10);
        Assert.Single(read);
        var log = new RequestLog();

        await using var app = await StartSubscriberAsync("notifier", log, metadata: [("processingTimeout", "500"), ("redeliverInterval", "200")]);

        var delivered = Assert.Single(await log.WaitForAsync("/orders"));
        Assert.Equal("ev-1", delivered.Json.GetProperty("id").GetString());
        await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount, n => n == 0, TimeSpan.FromSeconds(5), "the redelivered message to be acknowledged");
    }

    [Fact]
    public async Task Message_in_delivery_when_the_sidecar_stops_is_delivered_by_the_next_sidecar()
    {
        // The first sidecar's processingTimeout is a minute: the message stays pending because its sidecar stopped
        // under the delivery, not because its time ran out.
        var firstLog = new RequestLog();
        var stuck = new TaskCompletionSource();
        var first = await StartSubscriberAsync("notifier", firstLog, respond: async () => { await stuck.Task; return Results.Ok(); }, metadata: [("processingTimeout", "60000"), ("redeliverInterval", "200")]);
        try
        {
            await first.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
            await firstLog.WaitForAsync("/orders");
        }
        finally
        {
            await first.DisposeAsync();
            stuck.TrySetResult();
        }

        Assert.Equal(1, (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount);
        var secondLog = new RequestLog();
        await using var second = await StartSubscriberAsync("notifier", secondLog, metadata: [("processingTimeout", "500"), ("redeliverInterval", "200")]);

        var redelivered = Assert.Single(await secondLog.WaitForAsync("/orders"));
        Assert.Equal(firstLog.To("/orders")[0].Json.GetProperty("id").GetString(), redelivered.Json.GetProperty("id").GetString());
        await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount, n => n == 0, TimeSpan.FromSeconds(5), "the message to be acknowledged");
    }

    [Fact]
    public async Task Unsubscribing_leaves_queued_messages_pending_instead_of_acknowledging_them()
    {
        // One worker, held by the first message: the other four wait in the component's queue when the sidecar stops.
        var log = new RequestLog();
        var stuck = new TaskCompletionSource();
        var app = await StartSubscriberAsync("notifier", log, respond: async () => { await stuck.Task; return Results.Ok(); }, metadata: [("concurrency", "1")]);
        try
        {
            for (var n = 1; n <= 5; n++)
            {
                await app.Client.PublishEventAsync(Pubsub, "orders", new { n });
            }

            await log.WaitForAsync("/orders");
            await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount, n => n == 5, TimeSpan.FromSeconds(5), "all five read by the group");
        }
        finally
        {
            await app.DisposeAsync();
            stuck.TrySetResult();
        }

        Assert.Single(log.To("/orders"));
        Assert.Equal(5, (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount);
    }

    [Fact]
    public async Task Subscriber_failing_without_resiliency_or_dead_letter_gets_the_event_once_and_it_is_acknowledged()
    {
        // daprd 1.17+: a failed delivery is acknowledged (retries come from resiliency policies or a dead-letter topic).
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync("notifier", log, respond: () => Task.FromResult(Results.StatusCode(500)), metadata: [("processingTimeout", "60000"), ("redeliverInterval", "200")]);

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });

        await log.WaitForAsync("/orders", 2);
        await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync("orders", "notifier")).PendingMessageCount, n => n == 0, TimeSpan.FromSeconds(5), "both failures to be acknowledged");
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 3 });
        await log.WaitForAsync("/orders", 3);
        Assert.Equal([1, 2, 3], log.To("/orders").Select(N).Order());
    }

    [Fact]
    public async Task Subscriber_failing_with_a_dead_letter_topic_sends_the_event_there()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "notifier",
            log,
            respond: () => Task.FromResult(Results.StatusCode(500)),
            subscriptions: """[{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"orders-dead"},{"pubsubname":"pubsub","topic":"orders-dead","route":"/dead"}]""");

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });

        var dead = Assert.Single(await log.WaitForAsync("/dead"));
        Assert.Equal(1, N(dead));
        Assert.Equal(1, await Db.StreamLengthAsync("orders-dead"));
    }

    [Fact]
    public async Task PublishEventAsync_with_maxLenApprox_trims_the_stream()
    {
        await using var app = await SidecarHarness.StartAsync("checkout", Resources(("maxLenApprox", "10")));

        for (var n = 0; n < 500; n++)
        {
            await app.Client.PublishEventAsync(Pubsub, "orders", new { n });
        }

        // Approximate trimming removes whole blocks of entries, so the stream keeps at least 10 and far fewer than 500.
        Assert.InRange(await Db.StreamLengthAsync("orders"), 10, 200);
    }

    [Theory]
    [InlineData("state.redis")]
    [InlineData("pubsub.redis")]
    public async Task StartAsync_redis_out_of_reach_stops_within_the_init_timeout_naming_component_and_address(string type)
    {
        var port = FreePort.Next();
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => SidecarHarness.StartAsync(
            "unreachable",
            new Dictionary<string, string> { ["c.yaml"] = ComponentYaml.Component("backend", type, ("redisHost", $"127.0.0.1:{port}"), ("dialTimeout", "1s")) }));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - started}");
        Assert.Contains("component 'backend' spec.metadata.redisHost", error.Message, StringComparison.Ordinal);
        Assert.Contains($"cannot connect to Redis at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("redis-server", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static int N(RecordedRequest request) => request.Json.GetProperty("data").GetProperty("n").GetInt32();

    private Dictionary<string, string> Resources(params (string Name, string Value)[] metadata) =>
        new() { ["pubsub.yaml"] = ComponentYaml.Component(Pubsub, "pubsub.redis", [.. ComponentYaml.Redis(_database), .. metadata]) };

    private Task<SidecarHarness> StartSubscriberAsync(
        string appId,
        RequestLog log,
        Func<Task<IResult>>? respond = null,
        LocalCluster? cluster = null,
        string subscriptions = Subscriptions,
        (string Name, string Value)[]? metadata = null) =>
        SidecarHarness.StartAsync(
            appId,
            Resources(metadata ?? []),
            app =>
            {
                app.MapGet("/dapr/subscribe", () => Results.Text(subscriptions, "application/json"));
                app.MapPost("/{**path}", async (HttpContext http) =>
                {
                    await log.RecordAsync(http);
                    return http.Request.Path == "/dead" || respond is null ? Results.Ok() : await respond();
                });
            },
            cluster: cluster);
}
