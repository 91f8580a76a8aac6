using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// The run-wide placement of actors, standing in for daprd's placement service: every sidecar whose app hosts an actor
/// type is a host of the type, and each actor id belongs to one of them by consistent hashing
/// (<see cref="ActorHashRing{THost}"/>). Shared by the sidecars of one <see cref="LocalCluster"/>
/// (<see cref="LocalCluster.GetOrAddShared{T}"/>).
/// </summary>
/// <remarks>
/// When a host joins or leaves, a new <see cref="PlacementTable"/> is disseminated in two phases. First every host
/// (the one leaving included) deactivates the actors it no longer owns, each after its running turn (up to the type's
/// <c>drainOngoingCallTimeout</c>), and lets go of their reminders once a firing under way has been saved; then every
/// host takes up the stored reminders it owns now. Until both phases are over (<see cref="PlacementTable.Settled"/>),
/// new calls to the types the table changed and the firings of their reminders wait, so an actor is active in one
/// instance at a time, as in daprd, where requests for the types a dissemination round changes are queued until the
/// round ends (dapr/dapr <c>pkg/actors/internal/placement/loops/disseminator/inflight</c>). As there, a call made from
/// inside a turn that the round is draining, to an actor of a changed type, waits until the drain times out.
/// </remarks>
public sealed class ActorPlacement(ILoggerFactory loggerFactory)
{
    /// <summary>
    /// How long a lookup waits for a host of an unknown type before it fails: daprd retries the
    /// lookup under its built-in <c>DaprBuiltInActorNotFoundRetries</c> policy, 5 retries 1 s apart
    /// (dapr/dapr <c>pkg/resiliency/resiliency.go</c>).
    /// </summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<ActorPlacement>();
    private ImmutableList<PlacedHost> _hosts = [];
    private PlacementTable _table = PlacementTable.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The table in force: which host owns which actor.</summary>
    public PlacementTable Table => Volatile.Read(ref _table);

    /// <summary>Adds <paramref name="host"/> (at <paramref name="address"/>) as a host of <paramref name="actorTypes"/> and disseminates the new table.</summary>
    public PlacementTable Register(ActorRuntime host, string address, IEnumerable<string> actorTypes)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(actorTypes);
        var types = actorTypes.ToImmutableHashSet(StringComparer.Ordinal);
        return Change(hosts => hosts.RemoveAll(h => ReferenceEquals(h.Host, host)).Add(new PlacedHost(address, host, types)), null, $"{host.AppId} at {address} hosts {string.Join(", ", types.Order(StringComparer.Ordinal))}")!;
    }

    /// <summary>Removes <paramref name="host"/> (its app is gone or its sidecar is stopping) and disseminates the new table.</summary>
    public void Unregister(ActorRuntime host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Change(hosts => hosts.Exists(h => ReferenceEquals(h.Host, host)) ? hosts.RemoveAll(h => ReferenceEquals(h.Host, host)) : null, host, $"{host.AppId} left");
    }

    /// <summary>
    /// Calls the actor on the instance that owns it, looking it up again when the placement moved it on the way
    /// (a host joined or left between the lookup and the call). <paramref name="time"/> is the calling sidecar's clock,
    /// which bounds the wait for a host (<see cref="LookupAsync"/>).
    /// </summary>
    public async Task<ActorAppResponse> InvokeOnOwnerAsync(string actorType, string actorId, ActorAppRequest call, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            var host = await LookupAsync(actorType, actorId, time, cancellationToken) ?? throw ActorErrors.NoAddress(actorType, actorId);
            try
            {
                return await host.InvokeMethodAsync(actorType, actorId, call, cancellationToken);
            }
            catch (ActorMovedException)
            {
                // The next lookup waits for the new table to settle.
            }
        }
    }

    /// <summary>
    /// The host that owns the actor, once the table in force has settled; waits up to <see cref="LookupTimeout"/> for a
    /// host of an unknown type to register (on <paramref name="time"/>, the calling sidecar's clock), and answers null
    /// when none does.
    /// </summary>
    public async Task<ActorRuntime?> LookupAsync(string actorType, string actorId, TimeProvider time, CancellationToken cancellationToken)
    {
        using var lookupTimeout = new CancellationTokenSource(LookupTimeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lookupTimeout.Token);
        while (true)
        {
            Task changed;
            PlacementTable table;
            lock (_gate)
            {
                table = _table;
                changed = _changed.Task;
            }

            if (table.Hosts(actorType))
            {
                // Only a type whose ring a round still under way changed waits for it.
                await table.SettledFor(actorType).WaitAsync(cancellationToken);
                var current = Table;
                if (ReferenceEquals(current, table) && table.Owner(actorType, actorId) is { } owner)
                {
                    return owner;
                }

                continue;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>Applies <paramref name="change"/> (null: nothing to change) and disseminates the new table; <paramref name="leaving"/> drains too.</summary>
    private PlacementTable? Change(Func<ImmutableList<PlacedHost>, ImmutableList<PlacedHost>?> change, ActorRuntime? leaving, string why)
    {
        PlacementTable table;
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (change(_hosts) is not { } hosts)
            {
                return null;
            }

            Volatile.Write(ref _hosts, hosts);
            var previous = _table;
            var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            table = new PlacementTable(previous.Version + 1, BuildRings(hosts), settled.Task, previous);
            Volatile.Write(ref _table, table);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Each round starts after the one before it has settled, so hosts see the tables in order.
            var members = hosts.Select(h => h.Host).ToList();
            _ = Task.Run(() => DisseminateAsync(previous.Settled, table, members, leaving, settled), CancellationToken.None);
        }

        _logger.LogDebug("Placement table {Version}: {Why}; {Types}", table.Version, why, table);
        changed.TrySetResult();
        return table;
    }

    private static ImmutableDictionary<string, ActorHashRing<ActorRuntime>> BuildRings(IEnumerable<PlacedHost> hosts) =>
        hosts
            .SelectMany(h => h.Types.Select(type => (Type: type, h.Address, h.Host)))
            .GroupBy(h => h.Type, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => new ActorHashRing<ActorRuntime>(g.Select(h => (h.Address, h.Host))), StringComparer.Ordinal);

    private async Task DisseminateAsync(Task previous, PlacementTable table, List<ActorRuntime> hosts, ActorRuntime? leaving, TaskCompletionSource settled)
    {
        try
        {
            await previous;

            // Phase one: every moved actor is deactivated, and its reminders let go, before phase two takes them up.
            await EachAsync(leaving is null ? hosts : [.. hosts, leaving], host => host.ReleaseMovedAsync(table), table, "release what moved away in");
            await EachAsync(hosts, host => host.TakeUpAsync(table), table, "take up its share of");
        }
        finally
        {
            settled.TrySetResult();
        }
    }

    private Task EachAsync(List<ActorRuntime> hosts, Func<ActorRuntime, Task> step, PlacementTable table, string what) =>
        Task.WhenAll(hosts.Select(async host =>
        {
            try
            {
                await step(host);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "Host {AppId} could not {What} placement table {Version}", host.AppId, what, table.Version);
            }
        }));
}

/// <summary>A host of the placement: an instance's actor runtime, its address and the types its app hosts.</summary>
internal sealed record PlacedHost(string Address, ActorRuntime Host, ImmutableHashSet<string> Types);

/// <summary>
/// One version of the placement: for each actor type, the ring of its hosts. <see cref="Settled"/> completes once every
/// host has deactivated the actors the table moved away from it and taken up the reminders it owns now.
/// </summary>
public sealed class PlacementTable
{
    public static readonly PlacementTable Empty = new(0, ImmutableDictionary<string, ActorHashRing<ActorRuntime>>.Empty, Task.CompletedTask, null);

    private readonly ImmutableDictionary<string, ActorHashRing<ActorRuntime>> rings;
    private readonly PlacementTable? _previous;
    private readonly ImmutableHashSet<string> _changed;

    public PlacementTable(long version, ImmutableDictionary<string, ActorHashRing<ActorRuntime>> rings, Task settled, PlacementTable? previous)
    {
        Version = version;
        this.rings = rings;
        Settled = settled;
        _previous = previous is { Settled.IsCompleted: false } ? previous : null;
        _changed = previous is null
            ? [.. rings.Keys]
            : [.. rings.Keys.Concat(previous.rings.Keys).Distinct().Where(t => !SameHosts(rings.GetValueOrDefault(t), previous.rings.GetValueOrDefault(t)))];
    }

    public long Version { get; }

    public Task Settled { get; }

    /// <summary>
    /// Completes once no round under way changes <paramref name="actorType"/>: at once when neither this table nor an
    /// earlier one still settling changed its ring.
    /// </summary>
    public Task SettledFor(string actorType)
    {
        var waits = new List<Task>();
        for (var table = this; table is not null && !table.Settled.IsCompleted; table = table._previous)
        {
            if (table._changed.Contains(actorType))
            {
                waits.Add(table.Settled);
            }
        }

        return waits.Count == 0 ? Task.CompletedTask : Task.WhenAll(waits);
    }

    /// <summary>Whether any host hosts <paramref name="actorType"/>.</summary>
    public bool Hosts(string actorType) => rings.ContainsKey(actorType);

    /// <summary>How many hosts <paramref name="actorType"/> has.</summary>
    public int HostCount(string actorType) => rings.TryGetValue(actorType, out var ring) ? ring.HostCount : 0;

    /// <summary>The host that owns the actor under this table, or null when no host hosts its type.</summary>
    public ActorRuntime? Owner(string actorType, string actorId) => rings.TryGetValue(actorType, out var ring) ? ring.Owner(actorId) : null;

    private static bool SameHosts(ActorHashRing<ActorRuntime>? a, ActorHashRing<ActorRuntime>? b) =>
        a is not null && b is not null && a.Hosts.SetEquals(b.Hosts);

    public override string ToString() =>
        rings.IsEmpty ? "no actor types" : string.Join(", ", rings.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} on {r.Value.HostCount} host{(r.Value.HostCount == 1 ? "" : "s")}"));
}
