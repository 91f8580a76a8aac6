using System.Text;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using StackExchange.Redis;

namespace DaprShop.Sidecar.Tests.State;

/// <summary>
/// What <c>state.redis</c> leaves in Redis, read with a plain Redis client: daprd's layout (one hash per key with
/// <c>data</c>, <c>version</c> and <c>first-write</c>, app-id key prefixes, expiries), and data daprd wrote read back
/// through the sidecar, so either can take over the other's Redis.
/// </summary>
public sealed class RedisLayoutTests : IAsyncLifetime
{
    private const string Store = "statestore";
    private readonly int _database = RedisServer.Shared.NextDatabase();
    private ConnectionMultiplexer _redis = null!;
    private SidecarHarness _harness = null!;

    private IDatabase Db => _redis.GetDatabase(_database);

    public async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);
        _harness = await SidecarHarness.StartAsync(
            "layout-app",
            new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.Component(Store, "state.redis", ComponentYaml.Redis(_database)) });
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task SaveStateAsync_writes_a_hash_with_data_and_version_under_the_app_id_prefix()
    {
        await _harness.Client.SaveStateAsync(Store, "order-1", new { id = "o-1", total = 12.5m });
        await _harness.Client.SaveStateAsync(Store, "order-1", new { id = "o-1", total = 13m });

        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync("layout-app||order-1"));
        var fields = (await Db.HashGetAllAsync("layout-app||order-1")).ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
        Assert.Equal(["data", "version"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("{\"id\":\"o-1\",\"total\":13}", fields["data"]);
        Assert.Equal("2", fields["version"]);
        Assert.Equal(TimeSpan.Zero, await Db.KeyTimeToLiveAsync("layout-app||order-1") ?? TimeSpan.Zero);
    }

    [Fact]
    public async Task SaveStateAsync_first_write_marks_the_hash_and_a_transaction_does_not()
    {
        await _harness.Client.SaveStateAsync(Store, "single", "x", new StateOptions { Concurrency = ConcurrencyMode.FirstWrite });
        await _harness.Client.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest("in-transaction", "\"y\""u8.ToArray(), StateOperationType.Upsert, options: new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }),
        ]);

        Assert.Equal("0", (string?)await Db.HashGetAsync("layout-app||single", "first-write"));
        Assert.False(await Db.HashExistsAsync("layout-app||in-transaction", "first-write"));
        Assert.Equal("1", (string?)await Db.HashGetAsync("layout-app||in-transaction", "version"));
    }

    [Fact]
    public async Task SaveStateAsync_ttl_sets_a_redis_expiry_and_minus_one_clears_it()
    {
        await _harness.Client.SaveStateAsync(Store, "session", "s", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "300" });
        var ttl = await Db.KeyTimeToLiveAsync("layout-app||session");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(290), TimeSpan.FromSeconds(300));

        await _harness.Client.SaveStateAsync(Store, "session", "s2");
        Assert.NotNull(await Db.KeyTimeToLiveAsync("layout-app||session"));

        await _harness.Client.SaveStateAsync(Store, "session", "s3", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "-1" });
        Assert.Null(await Db.KeyTimeToLiveAsync("layout-app||session"));
    }

    [Fact]
    public async Task GetStateAndETagAsync_reads_what_daprd_wrote_and_a_legacy_string_without_etag()
    {
        await Db.HashSetAsync("layout-app||from-daprd", [new HashEntry("data", "\"written by daprd\""), new HashEntry("version", "41")]);
        await Db.StringSetAsync("layout-app||legacy", "\"plain\"");

        var (value, etag) = await _harness.Client.GetStateAndETagAsync<string>(Store, "from-daprd");
        Assert.Equal(("written by daprd", "41"), (value, etag));
        Assert.True(await _harness.Client.TrySaveStateAsync(Store, "from-daprd", "changed", "41"));
        Assert.Equal("42", (string?)await Db.HashGetAsync("layout-app||from-daprd", "version"));

        var (legacy, legacyETag) = await _harness.Client.GetStateAndETagAsync<string>(Store, "legacy");
        Assert.Equal("plain", legacy);
        Assert.True(string.IsNullOrEmpty(legacyETag));

        // A save over a key of another type replaces it with a hash, as daprd's script does.
        await _harness.Client.SaveStateAsync(Store, "legacy", "now a hash");
        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync("layout-app||legacy"));
        Assert.Equal("1", (string?)await Db.HashGetAsync("layout-app||legacy", "version"));
    }

    [Fact]
    public async Task SaveStateAsync_over_http_stores_the_json_body()
    {
        using var http = new HttpClient { BaseAddress = _harness.Sidecar.HttpEndpoint };
        using var body = new StringContent("""[{"key":"h","value":{"n":1,"tags":["a"]}}]""", Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(new Uri($"v1.0/state/{Store}", UriKind.Relative), body);

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.Equal("{\"n\":1,\"tags\":[\"a\"]}", (string?)await Db.HashGetAsync("layout-app||h", "data"));
    }
}
