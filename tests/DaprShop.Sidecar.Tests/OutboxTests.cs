using System.Net;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.State;
using DaprShop.Sidecar.State.Outbox;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests;

/// <summary>The transactional outbox on state transactions, seen by a subscriber in another app.</summary>
public sealed class OutboxTests
{
    private const string Store = "statestore";
    private const string Topic = "orders";
    private const string SubscriberRoute = "/on-order";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql-v2")]
    public async Task Transaction_whose_commit_fails_publishes_nothing(string kind)
    {
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, kind);
        await orders.Client.SaveStateAsync(Store, "order-1", "placed");

        var failed = await Assert.ThrowsAsync<DaprException>(() => orders.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-1", "\"confirmed\"", etag: "not-the-etag")]));
        Assert.Contains("possible etag mismatch", Assert.IsType<RpcException>(failed.InnerException).Status.Detail, StringComparison.Ordinal);
        await orders.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-2", "\"placed\"")]);

        // The broker delivers in publication order: the failed transaction's event would come first.
        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal("\"placed\"", delivered.Json.GetProperty("data").GetString());
        Assert.Equal("placed", await orders.Client.GetStateAsync<string>(Store, "order-1"));
        // The relay deletes order-2's row after the subscriber has answered, so the log can see the delivery first.
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(orders)).Count, count => count == 0, Deadline, "the published row to be deleted");
    }

    [Fact]
    public async Task Backlog_Counts_a_committed_message_until_it_is_published_and_deleted()
    {
        var clock = new FakeTimeProvider();
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "sqlite", publishDelay: TimeSpan.FromSeconds(1), time: clock);
        var relay = orders.Sidecar.Services.GetRequiredService<OutboxRelay>();

        await orders.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-3", "\"placed\"")]);

        // The relay holds the message until the sidecar's clock has moved on by the publish delay.
        Assert.Equal(1, relay.Backlog);
        await clock.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => log.To(SubscriberRoute).Count > 0, Deadline, "the delayed publish");
        await Eventually.WaitAsync(() => relay.Backlog == 0, Deadline, "the backlog to empty");
    }

    [Fact]
    public async Task Rows_an_instance_left_when_it_died_are_published_by_a_live_instance_at_its_next_sweep()
    {
        var sqliteFile = Path.Combine(Directory.CreateTempSubdirectory("daprshop-outbox-").FullName, "orders.db");
        var clock = new FakeTimeProvider();
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var survivor = await StartPublisherAsync(cluster, "sqlite", sqliteFile, time: clock);

        // Two instances of the app on one store; the one that commits holds the message and stops before publishing it.
        await using (var dying = await StartPublisherAsync(cluster, "sqlite", sqliteFile, TimeSpan.FromHours(1), time: clock))
        {
            await dying.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-8", "\"placed\"")]);
            Assert.Single(await OutboxRowsAsync(dying));
        }

        Assert.Empty(log.To(SubscriberRoute));
        await clock.AdvanceUntilAsync(OutboxRelay.SweepInterval, () => log.To(SubscriberRoute).Count > 0, Deadline, "the sweep to publish the orphaned row");
        var delivered = Assert.Single(log.To(SubscriberRoute));
        Assert.Equal("\"placed\"", delivered.Json.GetProperty("data").GetString());
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(survivor)).Count, count => count == 0, Deadline, "the published row to be deleted");
    }

    [Fact]
    public async Task Redis_transaction_failing_on_a_stale_etag_still_publishes_its_event_as_daprd_does()
    {
        // Redis has no rollback: daprd's MULTI/EXEC applies the outbox marker although the state write failed, and its
        // outbox subscriber, finding the marker, publishes the event. The local store does the same, so a caller that
        // counts on "nothing published when the transaction fails" is caught here as it would be on real Dapr. The
        // shop does not count on it: an order's log has one writer, its actor, so its ETag is never stale.
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "redis");
        await orders.Client.SaveStateAsync(Store, "order-1", "placed");

        var failed = await Assert.ThrowsAsync<DaprException>(() => orders.Client.ExecuteStateTransactionAsync(Store,
        [
            Upsert("order-1", "\"confirmed\"", etag: "99"),
            Upsert("order-1", """{"event":"OrderConfirmed"}""", metadata: new() { ["outbox.projection"] = "true", ["contentType"] = "application/json" }),
        ]));

        Assert.Contains("failed to set key orders||order-1", Assert.IsType<RpcException>(failed.InnerException).Status.Detail, StringComparison.Ordinal);
        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal("OrderConfirmed", delivered.Json.GetProperty("data").GetProperty("event").GetString());
        Assert.Equal("placed", await orders.Client.GetStateAsync<string>(Store, "order-1"));
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(orders)).Count, count => count == 0, Deadline, "the published row to be deleted");
    }

    [Fact]
    public async Task Redis_committed_upsert_with_projection_is_delivered_once_and_its_row_deleted()
    {
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "redis");

        await orders.Client.ExecuteStateTransactionAsync(Store,
        [
            Upsert("order-4", "\"full log\""),
            Upsert("order-4", """{"orderId":"order-4"}""", metadata: new() { ["outbox.projection"] = "true", ["contentType"] = "application/json" }),
        ]);

        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal("application/json", delivered.Json.GetProperty("datacontenttype").GetString());
        Assert.Equal("order-4", delivered.Json.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal("full log", await orders.Client.GetStateAsync<string>(Store, "order-4"));
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(orders)).Count, count => count == 0, Deadline, "the published row to be deleted");
        Assert.Single(log.To(SubscriberRoute));
    }

    [Theory]
    [InlineData("in-memory")]
    [InlineData("sqlite")]
    public async Task Committed_upsert_is_delivered_once_as_a_cloud_event_and_deletes_are_not(string kind)
    {
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, kind);

        await orders.Client.ExecuteStateTransactionAsync(Store, [
            Upsert("order-7", """{"orderId":"order-7","total":12.5}""", metadata: new() { ["contentType"] = "application/json", ["outbox.cloudevent.kind"] = "order" }),
            new StateTransactionRequest("order-6", null, StateOperationType.Delete),
        ]);

        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        var ce = delivered.Json;
        Assert.StartsWith("outbox-", ce.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("orders", ce.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", ce.GetProperty("type").GetString());
        Assert.Equal(Topic, ce.GetProperty("topic").GetString());
        Assert.Equal("pubsub", ce.GetProperty("pubsubname").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("order-7", ce.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal("order", ce.GetProperty("outbox.cloudevent.kind").GetString());

        // Once the row is gone nothing can publish it again: exactly one delivery.
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(orders)).Count, count => count == 0, Deadline, "the published row to be deleted");
        Assert.Single(log.To(SubscriberRoute));
    }

    [Fact]
    public async Task Many_concurrent_transactions_Each_delivered_once_and_every_row_deleted()
    {
        const int Count = 60;
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "sqlite");

        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => orders.Client.ExecuteStateTransactionAsync(Store, [Upsert($"order-{i}", $"{{\"n\":{i}}}", metadata: new() { ["contentType"] = "application/json" })])));

        var delivered = await log.WaitForAsync(SubscriberRoute, Count, Deadline);
        Assert.Equal(Enumerable.Range(0, Count), delivered.Select(d => d.Json.GetProperty("data").GetProperty("n").GetInt32()).Order());
        var rows = await Eventually.WaitAsync(() => OutboxRowsAsync(orders), left => left.Count == 0, Deadline, "every published outbox row deleted");
        Assert.Empty(rows);
        Assert.Equal(Count, log.To(SubscriberRoute).Count);
    }

    [Fact]
    public async Task Projection_is_published_instead_of_the_saved_value()
    {
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "in-memory");

        await orders.Client.ExecuteStateTransactionAsync(Store, [
            Upsert("order-9", "\"full record\""),
            Upsert("order-9", "\"summary\"", metadata: new() { ["outbox.projection"] = "true" }),
        ]);

        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal("\"summary\"", delivered.Json.GetProperty("data").GetString());
        Assert.Equal("full record", await orders.Client.GetStateAsync<string>(Store, "order-9"));
    }

    [Fact]
    public async Task Http_transaction_api_publishes_through_the_outbox()
    {
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);
        await using var orders = await StartPublisherAsync(cluster, "sqlite");
        using var http = new HttpClient { BaseAddress = orders.Sidecar.HttpEndpoint };

        using var response = await http.PostAsync(
            new Uri($"/v1.0/state/{Store}/transaction", UriKind.Relative),
            new StringContent("""{"operations":[{"operation":"upsert","request":{"key":"order-3","value":{"n":3},"metadata":{"contentType":"application/json"}}}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal(3, delivered.Json.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.DurableStateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task Message_committed_before_a_crash_is_published_after_the_restart(string kind)
    {
        var sqliteFile = Path.Combine(Directory.CreateTempSubdirectory("daprshop-outbox-").FullName, "orders.db");
        int? redisDatabase = kind == "redis" ? RedisServer.Shared.NextDatabase() : null;
        var (cluster, log) = (new LocalCluster(), new RequestLog());
        await using var subscriber = await StartSubscriberAsync(cluster, log);

        // The relay holds committed messages for an hour: stopping the sidecar now is a crash
        // between the commit and the publish.
        var store = OutboxStore(kind, sqliteFile, redisDatabase: redisDatabase);
        await using (var crashing = await StartPublisherAsync(cluster, kind, sqliteFile, TimeSpan.FromHours(1), storeYaml: store))
        {
            await crashing.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-5", "\"placed\"")]);
            Assert.Single(await OutboxRowsAsync(crashing));
        }

        Assert.Empty(log.To(SubscriberRoute));
        await using var restarted = await StartPublisherAsync(cluster, kind, sqliteFile, storeYaml: store);
        var delivered = Assert.Single(await log.WaitForAsync(SubscriberRoute));
        Assert.Equal("\"placed\"", delivered.Json.GetProperty("data").GetString());
        await Eventually.WaitAsync(async () => (await OutboxRowsAsync(restarted)).Count, count => count == 0, Deadline, "the published row to be deleted");
    }

    [Fact]
    public async Task Outbox_to_a_pubsub_that_is_not_loaded_fails_the_transaction()
    {
        var cluster = new LocalCluster();
        await using var orders = await SidecarHarness.StartAsync(
            "orders",
            new Dictionary<string, string> { ["statestore.yaml"] = OutboxStore("in-memory", null, pubsub: "missing") },
            cluster: cluster);

        var failed = await Assert.ThrowsAsync<DaprException>(() => orders.Client.ExecuteStateTransactionAsync(Store, [Upsert("order-1", "\"placed\"")]));

        var error = Assert.IsType<RpcException>(failed.InnerException);
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("error while publishing outbox message: pubsub missing not found", error.Status.Detail);
        Assert.Null(await orders.Client.GetStateAsync<string>(Store, "order-1"));
    }

    private static StateTransactionRequest Upsert(string key, string json, string? etag = null, Dictionary<string, string>? metadata = null) =>
        new(key, Encoding.UTF8.GetBytes(json), StateOperationType.Upsert, etag, metadata);

    private static string OutboxStore(string kind, string? sqliteFile, string pubsub = "pubsub", int? redisDatabase = null) => kind == "redis"
        ? ComponentYaml.Component(Store, "state.redis", [.. ComponentYaml.Redis(redisDatabase), ("outboxPublishPubsub", pubsub), ("outboxPublishTopic", Topic)])
        : ComponentYaml.StateStore(kind, Store, sqliteFile, ("outboxPublishPubsub", pubsub), ("outboxPublishTopic", Topic));

    private static Task<SidecarHarness> StartPublisherAsync(LocalCluster cluster, string kind, string? sqliteFile = null, TimeSpan? publishDelay = null, string? storeYaml = null, TimeProvider? time = null) =>
        SidecarHarness.StartAsync(
            "orders",
            new Dictionary<string, string>
            {
                ["statestore.yaml"] = storeYaml ?? OutboxStore(kind, sqliteFile),
                ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.in-memory"),
            },
            cluster: cluster,
            configureSidecar: options => options with { OutboxPublishDelay = publishDelay ?? TimeSpan.Zero, Time = time ?? TimeProvider.System });

    private static Task<SidecarHarness> StartSubscriberAsync(LocalCluster cluster, RequestLog log) =>
        SidecarHarness.StartAsync(
            "notifier",
            new Dictionary<string, string> { ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.in-memory") },
            app =>
            {
                app.MapGet("/dapr/subscribe", () => Results.Text($$"""[{"pubsubname":"pubsub","topic":"{{Topic}}","route":"{{SubscriberRoute}}"}]""", "application/json"));
                app.MapPost(SubscriberRoute, async (HttpContext http) =>
                {
                    await log.RecordAsync(http);
                    return Results.Ok();
                });
            },
            cluster: cluster);

    private static async Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> OutboxRowsAsync(SidecarHarness publisher)
    {
        var store = (IStateKeyQuery)publisher.Sidecar.Services.GetRequiredService<StateService>().Stores[Store].Store;
        return await store.QueryByPrefixAsync(OutboxMessage.PrefixFor("orders"), CancellationToken.None);
    }
}
