using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.Sidecar.Actors;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests;

/// <summary>daprd's placement hash and ring: the same hashes as daprd, and only a leaving host's actors move.</summary>
public sealed class ActorHashRingTests
{
    [Fact]
    public void The_hash_of_a_virtual_node_is_daprds()
    {
        // The values daprd's own test expects for host 192.168.1.83:60992 (pkg/placement/hashing/consistent_hash_test.go).
        Assert.Equal(11414427053803968138UL, PlacementHash.Of("192.168.1.83:609920"));
        Assert.Equal(6110756290993384529UL, PlacementHash.Of("192.168.1.83:609921"));
        Assert.Equal(9528020266818944582UL, PlacementHash.Of("192.168.1.83:609924"));
    }

    [Fact]
    public void Ids_spread_over_every_host_and_only_a_leaving_hosts_ids_move()
    {
        string[] hosts = ["127.0.0.1:50001", "127.0.0.1:50002", "127.0.0.1:50003"];
        var three = new ActorHashRing<string>(hosts.Select(h => (h, h)));
        var two = new ActorHashRing<string>(hosts.Where(h => h != hosts[1]).Select(h => (h, h)));
        var ids = Enumerable.Range(0, 3000).Select(i => $"order-{i}").ToList();

        var owners = ids.GroupBy(id => three.Owner(id)!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, owners.Count);
        Assert.All(owners.Values, count => Assert.InRange(count, 600, 1400));
        Assert.All(ids.Where(id => three.Owner(id) != hosts[1]), id => Assert.Equal(three.Owner(id), two.Owner(id)));
        Assert.All(ids, id => Assert.NotEqual(hosts[1], two.Owner(id)));
        Assert.Null(new ActorHashRing<string>([]).Owner("any"));
    }
}

/// <summary>
/// Two instances of one app hosting <see cref="CounterActor"/> on one SQLite actor state store, called from a third app:
/// actors are spread over both by the hash ring, each active in one instance at a time, and moved with their reminders
/// when an instance joins or leaves.
/// </summary>
public sealed class ActorPlacementTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly LocalCluster _cluster = new();
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"daprshop-placement-{Guid.NewGuid():N}.db");
    private readonly ActorProbe _probe = new();
    private readonly List<SidecarHarness> _started = [];
    private SidecarHarness _caller = null!;

    public async Task InitializeAsync() =>
        _caller = await SidecarHarness.StartAsync("actor-caller", new Dictionary<string, string>(), cluster: _cluster);

    public async Task DisposeAsync()
    {
        foreach (var harness in _started.Append(_caller).Reverse())
        {
            await harness.DisposeAsync();
        }

        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_database) + "*"))
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Actors_spread_over_both_instances_as_the_ring_places_them_and_metadata_shows_it()
    {
        var (first, second) = (await StartInstanceAsync(), await StartInstanceAsync());
        var ids = Enumerable.Range(0, 40).Select(i => $"spread-{i}").ToList();

        foreach (var id in ids)
        {
            await ActorApps.Proxy(_caller, id).TouchAsync(0);
        }

        var placement = Runtime(first).Placement;
        var onSecond = ids.Count(id => ReferenceEquals(placement.Table.Owner(ActorApps.ActorType, id), Runtime(second)));
        Assert.InRange(onSecond, 5, 35);
        Assert.Equal(ids.Count - onSecond, Runtime(first).ActiveCount(ActorApps.ActorType));
        Assert.Equal(onSecond, Runtime(second).ActiveCount(ActorApps.ActorType));
        Assert.Equal(onSecond, await ActiveActorsInMetadataAsync(second));
    }

    [Fact]
    public async Task An_actor_moving_to_a_joining_instance_is_never_active_in_both()
    {
        var first = await StartInstanceAsync();
        var secondPort = FreePort.Next();
        var id = IdOwnedBy(secondPort, first);
        var proxy = ActorApps.Proxy(_caller, id);
        await proxy.TouchAsync(0);

        // Calls keep the actor busy while the second instance joins and takes it over.
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await proxy.TouchAsync(5);
            }
        }));
        var second = await StartInstanceAsync(secondPort);
        await Eventually.WaitAsync(() => Task.FromResult(Runtime(second).ActiveCount(ActorApps.ActorType)), n => n == 1, Deadline, "the actor to be active in the joining instance");
        await stop.CancelAsync();
        await load;

        Assert.Equal(1, _probe.MaxConcurrency);
        Assert.Equal(0, Runtime(first).ActiveCount(ActorApps.ActorType));
        Assert.Contains($"deactivated:{id}", _probe.Events);
    }

    [Fact]
    public async Task A_reminder_of_an_instance_that_leaves_fires_on_the_instance_that_owns_its_actor_next()
    {
        var first = await StartInstanceAsync();
        var secondPort = FreePort.Next();
        var second = await StartInstanceAsync(secondPort);
        var id = IdOwnedBy(secondPort, first, second);
        await ActorApps.Proxy(_caller, id).StartReminderAsync("later", 1500, "moved");
        Assert.True(Runtime(second).IsActive(ActorApps.ActorType, id));

        await second.DisposeAsync();
        _started.Remove(second);

        await Eventually.WaitAsync(() => Task.FromResult(_probe.Count($"reminder:{id}:later:moved")), n => n == 1, Deadline, "the reminder to fire on the remaining instance");
        Assert.True(Runtime(first).IsActive(ActorApps.ActorType, id));
    }

    private async Task<SidecarHarness> StartInstanceAsync(int? grpcPort = null)
    {
        var harness = await ActorApps.StartHostAsync("actor-host", _cluster, _probe, stateStore: ActorApps.ActorStateStore("sqlite", _database), grpcPort: grpcPort);
        _started.Add(harness);
        return harness;
    }

    private static ActorRuntime Runtime(SidecarHarness harness) => harness.Sidecar.Services.GetRequiredService<ActorRuntime>();

    /// <summary>An actor id that the instance listening on <paramref name="grpcPort"/> owns once it is a host beside <paramref name="hosts"/>.</summary>
    private static string IdOwnedBy(int grpcPort, params SidecarHarness[] hosts)
    {
        var target = $"127.0.0.1:{grpcPort}";
        var ring = new ActorHashRing<string>(hosts.Select(h => h.Sidecar.InstanceName).Append(target).Distinct().Select(a => (a, a)));
        return Enumerable.Range(0, 1000).Select(i => $"mover-{i}").First(id => ring.Owner(id) == target);
    }

    private static async Task<int> ActiveActorsInMetadataAsync(SidecarHarness harness)
    {
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };
        var metadata = await http.GetFromJsonAsync<JsonObject>(new Uri("/v1.0/metadata", UriKind.Relative));
        return metadata!["actors"]!.AsArray().Single(a => a!["type"]!.GetValue<string>() == ActorApps.ActorType)!["count"]!.GetValue<int>();
    }
}
