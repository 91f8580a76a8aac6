using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Data.Sqlite;

namespace DaprShop.Sidecar.Tests;

/// <summary>The state API through the official SDK (gRPC), against both built-in stores.</summary>
public sealed class StateTests
{
    private const string Store = "statestore";

    public sealed record Order(string Id, decimal Total, IReadOnlyList<string> Lines);

    private static Task<SidecarHarness> StartAsync(string kind, string appId = "state-app") =>
        SidecarHarness.StartAsync(appId, new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore(kind) });

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task SaveStateAsync_then_GetStateAsync_returns_the_value(string kind)
    {
        await using var harness = await StartAsync(kind);
        var order = new Order("o-1", 12.5m, ["book", "pen"]);

        await harness.Client.SaveStateAsync(Store, "order-1", order);
        var read = await harness.Client.GetStateAsync<Order>(Store, "order-1");

        Assert.Equal(order.Id, read.Id);
        Assert.Equal(order.Total, read.Total);
        Assert.Equal(order.Lines, read.Lines);
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task GetStateAndETagAsync_missing_key_returns_default_and_empty_etag(string kind)
    {
        await using var harness = await StartAsync(kind);

        var (value, etag) = await harness.Client.GetStateAndETagAsync<Order>(Store, "nothing-here");

        Assert.Null(value);
        Assert.True(string.IsNullOrEmpty(etag));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task GetBulkStateAsync_saved_and_missing_keys_returns_one_item_per_key(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveBulkStateAsync<string>(Store, [new("a", "alpha", null!), new("b", "beta", null!)]);

        var items = await harness.Client.GetBulkStateAsync(Store, ["a", "b", "c"], parallelism: 2);

        Assert.Equal(["a", "b", "c"], items.Select(i => i.Key).Order());
        Assert.Equal("\"alpha\"", items.Single(i => i.Key == "a").Value);
        Assert.Equal("\"beta\"", items.Single(i => i.Key == "b").Value);
        Assert.False(string.IsNullOrEmpty(items.Single(i => i.Key == "a").ETag));
        Assert.True(string.IsNullOrEmpty(items.Single(i => i.Key == "c").Value));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task TrySaveStateAsync_stale_etag_returns_false_and_keeps_the_value(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "counter", 1);
        var (_, staleETag) = await harness.Client.GetStateAndETagAsync<int>(Store, "counter");
        Assert.True(await harness.Client.TrySaveStateAsync(Store, "counter", 2, staleETag));

        var saved = await harness.Client.TrySaveStateAsync(Store, "counter", 3, staleETag);

        Assert.False(saved);
        Assert.Equal(2, await harness.Client.GetStateAsync<int>(Store, "counter"));
    }

    [Theory]
    [InlineData("in-memory")]
    [InlineData("sqlite")]
    public async Task TrySaveStateAsync_etag_of_missing_key_returns_false(string kind)
    {
        await using var harness = await StartAsync(kind);

        Assert.False(await harness.Client.TrySaveStateAsync(Store, "never-saved", 1, "some-etag"));
    }

    [Fact]
    public async Task TrySaveStateAsync_redis_numeric_etag_of_missing_key_saves_and_other_etags_are_invalid()
    {
        // daprd's state.redis: an ETag is a version number; a key without a version takes any (the write creates it at
        // version 1), and an ETag that is not a number is invalid (400 / InvalidArgument).
        await using var harness = await StartAsync("redis");

        Assert.True(await harness.Client.TrySaveStateAsync(Store, "never-saved", 1, "7"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.TrySaveStateAsync(Store, "other", 1, "some-etag"));

        Assert.Equal(StatusCode.InvalidArgument, Rpc(error).StatusCode);
        Assert.StartsWith("failed saving state in state store statestore: invalid etag value", Rpc(error).Status.Detail, StringComparison.Ordinal);
        var (value, etag) = await harness.Client.GetStateAndETagAsync<int>(Store, "never-saved");
        Assert.Equal((1, "1"), (value, etag));
        Assert.Null(await harness.Client.GetStateAsync<int?>(Store, "other"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task SaveStateAsync_first_write_without_etag_inserts_only(string kind)
    {
        await using var harness = await StartAsync(kind);
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        await harness.Client.SaveStateAsync(Store, "once", "first", firstWrite);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.SaveStateAsync(Store, "once", "second", firstWrite));

        if (kind == "redis")
        {
            // daprd's state.redis reports a refused write without an ETag as a plain failure, not an ETag mismatch.
            Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
            Assert.Contains("failed saving state in state store statestore: failed to set key state-app||once", Rpc(error).Status.Detail, StringComparison.Ordinal);
        }
        else if (kind.StartsWith("postgresql", StringComparison.Ordinal))
        {
            // So does daprd's state.postgresql: the upsert that may only replace an expired row changed nothing.
            Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
            Assert.Equal("failed saving state in state store statestore: no item was updated", Rpc(error).Status.Detail);
        }
        else
        {
            Assert.Equal(StatusCode.Aborted, Rpc(error).StatusCode);
            Assert.Contains("failed saving state in state store statestore: possible etag mismatch", Rpc(error).Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal("first", await harness.Client.GetStateAsync<string>(Store, "once"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task SaveStateAsync_last_write_without_etag_overwrites(string kind)
    {
        await using var harness = await StartAsync(kind);

        await harness.Client.SaveStateAsync(Store, "k", "one");
        await harness.Client.SaveStateAsync(Store, "k", "two");

        Assert.Equal("two", await harness.Client.GetStateAsync<string>(Store, "k"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task ExecuteStateTransactionAsync_upserts_and_deletes_together(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "old", "x");

        await harness.Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest("new-1", Json("one"), StateOperationType.Upsert),
            new StateTransactionRequest("new-2", Json("two"), StateOperationType.Upsert),
            new StateTransactionRequest("old", null, StateOperationType.Delete),
        ]);

        Assert.Equal("one", await harness.Client.GetStateAsync<string>(Store, "new-1"));
        Assert.Equal("two", await harness.Client.GetStateAsync<string>(Store, "new-2"));
        Assert.Null(await harness.Client.GetStateAsync<string>(Store, "old"));
    }

    [Theory]
    [InlineData("in-memory")]
    [InlineData("sqlite")]
    public async Task ExecuteStateTransactionAsync_one_stale_etag_changes_nothing(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "account-a", 100);
        await harness.Client.SaveStateAsync(Store, "account-b", 0);
        var (_, etagB) = await harness.Client.GetStateAndETagAsync<int>(Store, "account-b");
        await harness.Client.SaveStateAsync(Store, "account-b", 5);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest("account-a", Json(50), StateOperationType.Upsert),
            new StateTransactionRequest("account-c", Json(1), StateOperationType.Upsert),
            new StateTransactionRequest("account-b", Json(50), StateOperationType.Upsert, etagB),
        ]));

        // daprd reports any failed transaction as Internal, ETag failures included.
        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.StartsWith("error while executing state transaction: possible etag mismatch", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(100, await harness.Client.GetStateAsync<int>(Store, "account-a"));
        Assert.Equal(5, await harness.Client.GetStateAsync<int>(Store, "account-b"));
        Assert.Equal(0, await harness.Client.GetStateAsync<int>(Store, "account-c"));
    }

    [Fact]
    public async Task ExecuteStateTransactionAsync_redis_one_stale_etag_fails_and_applies_the_other_writes_as_daprd()
    {
        // daprd's state.redis runs a transaction as MULTI/EXEC of one script per key, and Redis has no rollback: the
        // write with the stale ETag fails, the transaction reports the failure, and every other write stays applied.
        await using var harness = await StartAsync("redis");
        await harness.Client.SaveStateAsync(Store, "account-a", 100);
        await harness.Client.SaveStateAsync(Store, "account-b", 0);
        var (_, etagB) = await harness.Client.GetStateAndETagAsync<int>(Store, "account-b");
        await harness.Client.SaveStateAsync(Store, "account-b", 5);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest("account-a", Json(50), StateOperationType.Upsert),
            new StateTransactionRequest("account-c", Json(1), StateOperationType.Upsert),
            new StateTransactionRequest("account-b", Json(50), StateOperationType.Upsert, etagB),
        ]));

        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.StartsWith("error while executing state transaction: ", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.Contains("failed to set key state-app||account-b", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(50, await harness.Client.GetStateAsync<int>(Store, "account-a"));
        Assert.Equal(5, await harness.Client.GetStateAsync<int>(Store, "account-b"));
        Assert.Equal(1, await harness.Client.GetStateAsync<int>(Store, "account-c"));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgresql-v1")]
    public async Task SaveBulkStateAsync_each_item_alone_and_an_invalid_etag_among_the_failures_answers_invalid_argument(string kind)
    {
        // daprd saves the items of one SaveState one by one (BulkSet) on these stores: a good item is saved whatever the
        // others do, and when every failure is an ETag error, an invalid one makes the answer 400 / InvalidArgument.
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "stale", "v1");
        var (_, old) = await harness.Client.GetStateAndETagAsync<string>(Store, "stale");
        await harness.Client.SaveStateAsync(Store, "stale", "v2");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.SaveBulkStateAsync<string>(Store,
        [
            new("stale", "v3", old, null!),
            new("good", "saved", null!, null!),
            new("bad-etag", "x", "not-a-number", null!),
        ]));

        Assert.Equal(StatusCode.InvalidArgument, Rpc(error).StatusCode);
        Assert.Equal("v2", await harness.Client.GetStateAsync<string>(Store, "stale"));
        Assert.Equal("saved", await harness.Client.GetStateAsync<string>(Store, "good"));
        Assert.Null(await harness.Client.GetStateAsync<string>(Store, "bad-etag"));
    }

    [Fact]
    public async Task ExecuteStateTransactionAsync_redis_json_content_type_operation_fails_alone_as_daprd()
    {
        // daprd writes a transaction operation with contentType application/json as a RedisJSON document; without
        // the module (and always here) that operation fails inside the MULTI and the others stay applied.
        await using var harness = await StartAsync("redis");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest("plain", Json("kept"), StateOperationType.Upsert),
            new StateTransactionRequest("document", Json(new { n = 1 }), StateOperationType.Upsert, metadata: new Dictionary<string, string> { ["contentType"] = "application/json" }),
        ]));

        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.Contains("RedisJSON", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.Equal("kept", await harness.Client.GetStateAsync<string>(Store, "plain"));
        Assert.Null(await harness.Client.GetStateAsync<object>(Store, "document"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task SaveStateAsync_ttl_item_reads_as_absent_after_expiry(string kind)
    {
        await using var harness = await StartAsync(kind);
        var ttl = new Dictionary<string, string> { ["ttlInSeconds"] = "1" };

        await harness.Client.SaveStateAsync(Store, "short-lived", "soon gone", metadata: ttl);
        await harness.Client.SaveStateAsync(Store, "forever", "stays", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "-1" });
        Assert.Equal("soon gone", await harness.Client.GetStateAsync<string>(Store, "short-lived"));

        await Eventually.WaitAsync(
            () => harness.Client.GetStateAsync<string>(Store, "short-lived"),
            value => value is null,
            TimeSpan.FromSeconds(5),
            "the item with a 1 s TTL to expire");
        Assert.Equal("stays", await harness.Client.GetStateAsync<string>(Store, "forever"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task TryDeleteStateAsync_stale_etag_returns_false_and_current_etag_deletes(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "doomed", "v1");
        var (_, stale) = await harness.Client.GetStateAndETagAsync<string>(Store, "doomed");
        await harness.Client.SaveStateAsync(Store, "doomed", "v2");
        var (_, current) = await harness.Client.GetStateAndETagAsync<string>(Store, "doomed");

        Assert.False(await harness.Client.TryDeleteStateAsync(Store, "doomed", stale));
        Assert.Equal("v2", await harness.Client.GetStateAsync<string>(Store, "doomed"));
        Assert.True(await harness.Client.TryDeleteStateAsync(Store, "doomed", current));
        Assert.Null(await harness.Client.GetStateAsync<string>(Store, "doomed"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task DeleteBulkStateAsync_removes_every_key(string kind)
    {
        await using var harness = await StartAsync(kind);
        await harness.Client.SaveStateAsync(Store, "x", 1);
        await harness.Client.SaveStateAsync(Store, "y", 2);

        await harness.Client.DeleteBulkStateAsync(Store, [new BulkDeleteStateItem("x", null!), new BulkDeleteStateItem("y", null!)]);

        Assert.Equal(0, await harness.Client.GetStateAsync<int>(Store, "x"));
        Assert.Equal(0, await harness.Client.GetStateAsync<int>(Store, "y"));
    }

    [Fact]
    public async Task GetStateAsync_unknown_store_fails_with_invalid_argument()
    {
        await using var harness = await StartAsync("in-memory");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.GetStateAsync<string>("missing", "k"));

        Assert.Equal(StatusCode.InvalidArgument, Rpc(error).StatusCode);
        Assert.Equal("state store missing is not found", Rpc(error).Status.Detail);
    }

    [Fact]
    public async Task GetStateAsync_without_api_token_is_unauthenticated()
    {
        await using var harness = await SidecarHarness.StartAsync(
            "guarded-state",
            new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore("in-memory") },
            configureSidecar: o => o with { DaprApiToken = "s3cret" });
        using var anonymous = harness.CreateClient();

        await harness.Client.SaveStateAsync(Store, "k", "v");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.GetStateAsync<string>(Store, "k"));

        Assert.Equal(StatusCode.Unauthenticated, Rpc(error).StatusCode);
        Assert.Equal("v", await harness.Client.GetStateAsync<string>(Store, "k"));
    }

    [Fact]
    public async Task SaveStateAsync_no_state_store_fails_with_failed_precondition()
    {
        await using var harness = await SidecarHarness.StartAsync("stateless", new Dictionary<string, string>());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.SaveStateAsync("statestore", "k", 1));

        Assert.Equal(StatusCode.FailedPrecondition, Rpc(error).StatusCode);
        Assert.Equal("state store statestore is not configured", Rpc(error).Status.Detail);
    }

    [Fact]
    public async Task SaveStateAsync_sqlite_survives_a_sidecar_restart()
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-sqlite-durable-").FullName;
        var file = Path.Combine(folder, "data", "state.db");
        var resources = new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore("sqlite", sqliteFile: file) };
        try
        {
            await using (var first = await SidecarHarness.StartAsync("durable", resources))
            {
                await first.Client.SaveStateAsync(Store, "kept", new Order("o-9", 9m, ["x"]));
            }

            await using var second = await SidecarHarness.StartAsync("durable", resources);
            var read = await second.Client.GetStateAsync<Order>(Store, "kept");

            Assert.Equal("o-9", read.Id);
            Assert.True(File.Exists(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SaveStateAsync_sqlite_file_shared_by_two_apps_keeps_keys_apart_by_app_id()
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-sqlite-shared-").FullName;
        var file = Path.Combine(folder, "shared.db");
        var cluster = new LocalCluster();
        try
        {
            await using var orders = await SidecarHarness.StartAsync(
                "orders",
                new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore("sqlite", sqliteFile: file) },
                cluster: cluster);
            await using var payments = await SidecarHarness.StartAsync(
                "payments",
                new Dictionary<string, string>
                {
                    ["statestore.yaml"] = ComponentYaml.StateStore("sqlite", sqliteFile: file),
                    ["shared.yaml"] = ComponentYaml.StateStore("sqlite", "sharedstore", file, ("keyPrefix", "name")),
                },
                cluster: cluster);
            await using var ordersShared = await SidecarHarness.StartAsync(
                "orders-reader",
                new Dictionary<string, string> { ["shared.yaml"] = ComponentYaml.StateStore("sqlite", "sharedstore", file, ("keyPrefix", "name")) },
                cluster: cluster);

            await Task.WhenAll(
                orders.Client.SaveStateAsync(Store, "same-key", "from orders"),
                payments.Client.SaveStateAsync(Store, "same-key", "from payments"),
                payments.Client.SaveStateAsync("sharedstore", "common", "visible to all"));

            Assert.Equal("from orders", await orders.Client.GetStateAsync<string>(Store, "same-key"));
            Assert.Equal("from payments", await payments.Client.GetStateAsync<string>(Store, "same-key"));
            Assert.Equal("visible to all", await ordersShared.Client.GetStateAsync<string>("sharedstore", "common"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ExecuteStateTransactionAsync_concurrent_writers_on_one_sqlite_file_lose_no_update()
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-sqlite-race-").FullName;
        var file = Path.Combine(folder, "race.db");
        var cluster = new LocalCluster();
        var yaml = ComponentYaml.StateStore("sqlite", sqliteFile: file, metadata: ("keyPrefix", "none"));
        try
        {
            await using var a = await SidecarHarness.StartAsync("writer-a", new Dictionary<string, string> { ["s.yaml"] = yaml }, cluster: cluster);
            await using var b = await SidecarHarness.StartAsync("writer-b", new Dictionary<string, string> { ["s.yaml"] = yaml }, cluster: cluster);
            await a.Client.SaveStateAsync(Store, "count", 0);

            async Task IncrementAsync(DaprClient client)
            {
                while (true)
                {
                    var (value, etag) = await client.GetStateAndETagAsync<int>(Store, "count");
                    if (await client.TrySaveStateAsync(Store, "count", value + 1, etag))
                    {
                        return;
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => IncrementAsync(i % 2 == 0 ? a.Client : b.Client)));

            Assert.Equal(20, await a.Client.GetStateAsync<int>(Store, "count"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, "prefixed-app||k")]
    [InlineData("name", "statestore||k")]
    [InlineData("none", "k")]
    [InlineData("MyPrefix", "myprefix||k")]
    public async Task SaveStateAsync_key_prefix_strategy_decides_the_stored_key(string? keyPrefix, string storedKey)
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-prefix-").FullName;
        var file = Path.Combine(folder, "p.db");
        (string, string)[] metadata = keyPrefix is null ? [] : [("keyPrefix", keyPrefix)];
        try
        {
            await using (var harness = await SidecarHarness.StartAsync("prefixed-app", new Dictionary<string, string> { ["s.yaml"] = ComponentYaml.StateStore("sqlite", sqliteFile: file, metadata: metadata) }))
            {
                await harness.Client.SaveStateAsync(Store, "k", 1);
                Assert.Equal(1, await harness.Client.GetStateAsync<int>(Store, "k"));
            }

            await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT key FROM state";
            Assert.Equal(storedKey, (string?)await command.ExecuteScalarAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Web);

    private static RpcException Rpc(Exception error) =>
        Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
}
