using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr.Actors;
using DaprShop.Sidecar.Actors;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// One app hosting <see cref="CounterActor"/> with its actor state store of kind <paramref name="kind"/>, and one app
/// without actors that calls it, in one cluster.
/// </summary>
public abstract class ActorCluster(string kind) : IAsyncLifetime
{
    public LocalCluster Cluster { get; } = new();

    public string Kind => kind;

    /// <summary>The test Redis database of the actor state store, when <see cref="Kind"/> is redis.</summary>
    public int RedisDatabase { get; } = kind == "redis" ? RedisServer.Shared.NextDatabase() : 0;

    public ActorProbe Probe { get; } = new();

    public SidecarHarness Host { get; private set; } = null!;

    /// <summary>Another app's sidecar, with no actors and no state store: every call goes through placement.</summary>
    public SidecarHarness Caller { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await ActorApps.StartHostAsync("actor-host", Cluster, Probe, stateStore: ActorApps.ActorStateStore(kind, redisDatabase: RedisDatabase));
        Caller = await SidecarHarness.StartAsync("actor-caller", new Dictionary<string, string>(), cluster: Cluster);
    }

    public async Task DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Host.DisposeAsync();
    }
}

public sealed class SqliteActorCluster() : ActorCluster("sqlite");

public sealed class RedisActorCluster() : ActorCluster("redis");

public sealed class PostgresActorCluster() : ActorCluster("postgresql-v2");

/// <summary>Actor conformance on SQLite.</summary>
public sealed class SqliteActorTests(SqliteActorCluster actors) : ActorTests(actors), IClassFixture<SqliteActorCluster>;

/// <summary>Actor conformance on Redis.</summary>
public sealed class RedisActorTests(RedisActorCluster actors) : ActorTests(actors), IClassFixture<RedisActorCluster>;

/// <summary>Actor conformance on PostgreSQL (v2, as components/postgres names it).</summary>
public sealed class PostgresActorTests(PostgresActorCluster actors) : ActorTests(actors), IClassFixture<PostgresActorCluster>;

/// <summary>Actor conformance: the official Dapr.Actors SDK against the local sidecar, once per durable actor state store.</summary>
public abstract class ActorTests(ActorCluster actors)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Proxy_calls_from_another_app_run_one_at_a_time_per_actor()
    {
        var proxy = ActorApps.Proxy(actors.Caller, "turns");
        var before = actors.Probe.Calls;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => proxy.TouchAsync(2)));

        Assert.Equal(50, actors.Probe.Calls - before);
        Assert.Equal(1, actors.Probe.MaxConcurrency);
    }

    [Fact]
    public async Task State_saved_in_one_turn_is_read_in_the_next_and_over_http()
    {
        var proxy = ActorApps.Proxy(actors.Caller, "stateful");

        await proxy.SetValueAsync("first");
        Assert.Equal("first", await proxy.GetValueAsync());

        using var http = new HttpClient { BaseAddress = actors.Host.Sidecar.HttpEndpoint };
        using var found = await http.GetAsync(new Uri("/v1.0/actors/CounterActor/stateful/state/value", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("first", JsonSerializer.Deserialize<string>(await found.Content.ReadAsStringAsync()));

        using var absent = await http.GetAsync(new Uri("/v1.0/actors/CounterActor/stateful/state/nothing", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, absent.StatusCode);

        // Stored under daprd's key: {appId}||{actorType}||{actorId}||{key}.
        var store = actors.Host.Sidecar.Services.GetRequiredService<ActorRuntime>().RequireStateStore().Store;
        Assert.NotNull(await store.GetAsync("actor-host||CounterActor||stateful||value", CancellationToken.None));
    }

    [Fact]
    public async Task State_transaction_honours_ttlInSeconds()
    {
        await ActorApps.Proxy(actors.Caller, "expiring").TouchAsync(0);
        using var http = new HttpClient { BaseAddress = actors.Host.Sidecar.HttpEndpoint };

        using var saved = await http.PutAsync(
            new Uri("/v1.0/actors/CounterActor/expiring/state", UriKind.Relative),
            new StringContent("""[{"operation":"upsert","request":{"key":"short","value":"soon gone","metadata":{"ttlInSeconds":"60"}}}]""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        using var found = await http.GetAsync(new Uri("/v1.0/actors/CounterActor/expiring/state/short", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        if (actors.Kind == "redis")
        {
            // daprd's state.redis gives the key a Redis expiry and reads carry no expiry time.
            Assert.False(found.Headers.Contains("metadata.ttlExpireTime"));
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);
            var ttl = await redis.GetDatabase(actors.RedisDatabase).KeyTimeToLiveAsync("actor-host||CounterActor||expiring||short");
            Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
            return;
        }

        var expires = DateTimeOffset.Parse(found.Headers.GetValues("metadata.ttlExpireTime").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task State_transaction_for_an_actor_that_is_not_active_answers_instance_missing()
    {
        using var http = new HttpClient { BaseAddress = actors.Host.Sidecar.HttpEndpoint };

        using var response = await http.PutAsync(
            new Uri("/v1.0/actors/CounterActor/never-called/state", UriKind.Relative),
            new StringContent("""[{"operation":"upsert","request":{"key":"k","value":1}}]""", Encoding.UTF8, "application/json"));

        await AssertDaprErrorAsync(response, HttpStatusCode.BadRequest, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing");
    }

    [Fact]
    public async Task Timer_fires_the_callback_in_the_actor()
    {
        var proxy = ActorApps.Proxy(actors.Caller, "ticking");

        await proxy.StartTimerAsync("tick", 50, 100);

        await Eventually.WaitAsync(() => actors.Probe.Count("timer:ticking:tick") >= 2, Deadline, "the timer to fire twice");
    }

    [Fact]
    public async Task Exception_in_the_actor_reaches_the_caller_as_ActorMethodInvocationException()
    {
        var proxy = ActorApps.Proxy(actors.Caller, "failing");

        var error = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => proxy.FailAsync("boom"));

        Assert.Contains("boom", error.InnerException?.Message ?? error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_actor_type_answers_daprd_error()
    {
        using var http = new HttpClient { BaseAddress = actors.Caller.Sidecar.HttpEndpoint };

        using var response = await http.PutAsync(new Uri("/v1.0/actors/NoSuchActor/x/method/Do", UriKind.Relative), new StringContent("{}"));

        await AssertDaprErrorAsync(
            response,
            HttpStatusCode.InternalServerError,
            "ERR_ACTOR_INVOKE_METHOD",
            "error invoke actor method: failed to lookup actor: api error: code = FailedPrecondition desc = did not find address for actor 'NoSuchActor/x'");
    }

    [Fact]
    public async Task Actor_state_without_an_actor_state_store_answers_runtime_not_found()
    {
        using var http = new HttpClient { BaseAddress = actors.Caller.Sidecar.HttpEndpoint };

        using var response = await http.GetAsync(new Uri("/v1.0/actors/CounterActor/a/state/value", UriKind.Relative));

        await AssertDaprErrorAsync(response, HttpStatusCode.InternalServerError, "ERR_ACTOR_RUNTIME_NOT_FOUND", "actorStateStore");
    }

    [Fact]
    public async Task Metadata_reports_the_actor_runtime_and_active_actors()
    {
        await ActorApps.Proxy(actors.Caller, "counted").TouchAsync(0);

        var metadata = await actors.Host.Client.GetMetadataAsync();

        var active = Assert.Single(metadata.Actors, a => a.Type == ActorApps.ActorType);
        Assert.True(active.Count >= 1);
        using var http = new HttpClient { BaseAddress = actors.Host.Sidecar.HttpEndpoint };
        var json = await http.GetFromJsonAsync<JsonElement>(new Uri("/v1.0/metadata", UriKind.Relative));
        var runtime = json.GetProperty("actorRuntime");
        Assert.Equal("RUNNING", runtime.GetProperty("runtimeStatus").GetString());
        Assert.True(runtime.GetProperty("hostReady").GetBoolean());
        Assert.Equal("placement: connected", runtime.GetProperty("placement").GetString());
    }

    [Fact]
    public async Task Idle_actor_is_deactivated_after_actorIdleTimeout()
    {
        var probe = new ActorProbe();
        await using var host = await ActorApps.StartHostAsync(
            "idle-host",
            actors.Cluster,
            probe,
            options =>
            {
                options.ActorIdleTimeout = TimeSpan.FromMilliseconds(500);
                options.ActorScanInterval = TimeSpan.FromMilliseconds(100);
            },
            actorType: "IdleCounterActor");
        var runtime = host.Sidecar.Services.GetRequiredService<ActorRuntime>();

        await ActorApps.Proxy(actors.Caller, "sleepy", "IdleCounterActor").TouchAsync(0);
        Assert.Equal(1, runtime.ActiveCount("IdleCounterActor"));

        await Eventually.WaitAsync(() => probe.Count("deactivated:sleepy") == 1, Deadline, "the idle actor to be deactivated");
        Assert.Equal(0, runtime.ActiveCount("IdleCounterActor"));

        // The next call activates it again.
        await ActorApps.Proxy(actors.Caller, "sleepy", "IdleCounterActor").TouchAsync(0);
        Assert.Equal(1, runtime.ActiveCount("IdleCounterActor"));
    }

    internal static async Task AssertDaprErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(errorCode, error.GetProperty("errorCode").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
