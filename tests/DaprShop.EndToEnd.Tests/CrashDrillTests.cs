using System.Net.Http.Json;
using DaprShop.EndToEnd.Tests.Infrastructure;
using DaprShop.Testing.Drills;
using StackExchange.Redis;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// The crash drill (<see cref="CrashDrill"/>) on every profile: rounds of a burst of orders with one process killed
/// outright at a random moment (each app in turn, and the runner with everything it started), then DESIGN.md's crash
/// invariants checked through the gateway and the payment ledger. The seed is printed; set <c>DAPRSHOP_DRILL_SEED</c>
/// to replay a failed run. Longer drills: <c>bench -- crash --rounds N</c>.
/// </summary>
[Collection(EmbeddedCrashShopDefinition.Name)]
public sealed class EmbeddedCrashDrillTests(EmbeddedCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashDrillTests(shop, output)
{
    /// <summary>Every target once; notifications are not checked (the in-memory broker loses what it held).</summary>
    protected override int Rounds => DrillTarget.All.Count;
}

[Collection(RedisCrashShopDefinition.Name)]
public sealed class RedisCrashDrillTests(RedisCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashDrillTests(shop, output)
{
    protected override int Rounds => DrillTarget.All.Count;

    [Fact]
    public async Task After_the_drill_Orders_live_in_Redis_in_daprds_layout_and_notifications_went_through_Redis_Streams()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);
        var db = redis.GetDatabase(Shop.RedisDatabase);
        await Drill();

        Assert.Contains("notification-service", (await db.StreamGroupInfoAsync("orders")).Select(g => (string)g.Name!));
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var orderKey = server.Keys(Shop.RedisDatabase, "order-service||order-*").First();
        Assert.Equal(["data", "version"], (await db.HashGetAllAsync(orderKey)).Select(f => (string)f.Name!).Order(StringComparer.Ordinal));
    }
}

[Collection(PostgresCrashShopDefinition.Name)]
public sealed class PostgresCrashDrillTests(PostgresCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashDrillTests(shop, output)
{
    /// <summary>The two kills that matter most for state: order-service and the runner with every sidecar.</summary>
    protected override IReadOnlyList<string> Targets => ["order-service", DrillTarget.Runner];
}

/// <summary>
/// The crash drill on the redis profile with two instances each of order-service and payment-service: each round kills
/// one instance of each at once, mid-burst, and every order still settles, paid once and notified once.
/// </summary>
[Collection(ReplicaCrashShopDefinition.Name)]
public sealed class ReplicaCrashDrillTests(ReplicaCrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output) : CrashDrillTests(shop, output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    protected override IReadOnlyList<string> Targets => ["order-service#2,payment-service#1", "order-service#1,payment-service#2"];

    [Fact]
    public async Task Orders_are_served_by_both_order_service_instances_as_their_metadata_shows()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway, $"replicas-{Guid.NewGuid():N}@e2e.test");
        var actors = await Eventually.WaitAsync(
            async () =>
            {
                using var placed = await shopper.PlaceOrderAsync("tok_visa");
                return (await ActiveOrdersAsync("order-service#1"), await ActiveOrdersAsync("order-service#2"));
            },
            counts => counts.Item1 > 0 && counts.Item2 > 0,
            Deadline,
            "both order-service instances to host order actors");

        Assert.True(actors.Item1 > 0 && actors.Item2 > 0);
    }

    /// <summary>The order actors active in one instance, from its sidecar's metadata (0 while it is down).</summary>
    private async Task<int> ActiveOrdersAsync(string instance)
    {
        using var sidecar = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{shop.SidecarPortOf(instance)}"), Timeout = TimeSpan.FromSeconds(5) };
        sidecar.DefaultRequestHeaders.Add("dapr-api-token", shop.SidecarToken("order-service"));
        try
        {
            var metadata = await sidecar.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/v1.0/metadata");
            return metadata?["actors"]?.AsArray().Where(a => a?["type"]?.GetValue<string>() == "OrderActor").Sum(a => a!["count"]!.GetValue<int>()) ?? 0;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}

public abstract class CrashDrillTests(CrashShopFixture shop, Xunit.Abstractions.ITestOutputHelper output)
{
    protected CrashShopFixture Shop => shop;

    protected virtual int Rounds => Targets.Count;

    protected virtual IReadOnlyList<string> Targets => DrillTarget.All;

    [Fact]
    public async Task Processes_killed_at_random_Every_order_settles_paid_once_with_a_contiguous_log()
    {
        await Drill();
    }

    /// <summary>Runs the drill once per fixture (a second call returns the first report) and fails with every violation.</summary>
    protected async Task<CrashDrillReport> Drill()
    {
        var report = await DrillOnce.GetOrAdd(shop, _ => RunAsync()).Value;
        Assert.True(report.Passed, $"crash drill on {report.Profile} (seed {report.Seed}) found:\n{string.Join('\n', report.Violations)}\n{report.ToTable()}");
        return report;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<CrashShopFixture, Lazy<Task<CrashDrillReport>>> DrillOnce = new();

    private Lazy<Task<CrashDrillReport>> RunAsync() => new(async () =>
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("DAPRSHOP_DRILL_SEED"), out var replay) ? replay : Random.Shared.Next(1, 1_000_000);
        output.WriteLine($"crash drill on {shop.Profile}: seed {seed} (DAPRSHOP_DRILL_SEED={seed} replays it)");
        var drill = new CrashDrill(shop, new CrashDrillOptions { Rounds = Rounds, Targets = Targets, Seed = seed }, line => output.WriteLine(line));
        var report = await drill.RunAsync(CancellationToken.None);
        output.WriteLine(report.ToTable());
        if (!report.Passed)
        {
            var lines = shop.Output.Split('\n');
            output.WriteLine($"--- the runner's last {Math.Min(400, lines.Length)} lines ---");
            output.WriteLine(string.Join('\n', lines.TakeLast(400)));
        }

        return report;
    });
}
