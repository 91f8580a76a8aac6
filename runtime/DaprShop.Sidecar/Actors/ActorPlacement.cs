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
/// When a host joins or leaves, a new <see cref="PlacementTable"/> is disseminated: each host deactivates the actors it
/// no longer owns, after their running turn (up to <see cref="ActorHostConfig.DrainOngoingCallTimeout"/>), and takes
/// up the stored reminders it now owns. Until every host has done so (<see cref="PlacementTable.Settled"/>), new
/// calls wait, so an actor is active in one instance at a time, as in daprd, where requests for the types a
/// dissemination round changes are queued until the round ends
/// (dapr/dapr <c>pkg/actors/internal/placement/loops/disseminator/inflight</c>).
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
        return Change(hosts => hosts.RemoveAll(h => ReferenceEquals(h.Host, host)).Add(new PlacedHost(address, host, types)), $"{host.AppId} at {address} hosts {string.Join(", ", types.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Removes <paramref name="host"/> (its app is gone or its sidecar is stopping) and disseminates the new table.</summary>
    public void Unregister(ActorRuntime host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Volatile.Read(ref _hosts).Exists(h => ReferenceEquals(h.Host, host)))
        {
            Change(hosts => hosts.RemoveAll(h => ReferenceEquals(h.Host, host)), $"{host.AppId} left");
        }
    }

    /// <summary>
    /// The host that owns the actor, once the table in force has settled; waits up to <see cref="LookupTimeout"/> for a
    /// host of an unknown type to register, and answers null when none does.
    /// </summary>
    public async Task<ActorRuntime?> LookupAsync(string actorType, string actorId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
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
                await table.Settled.WaitAsync(cancellationToken);
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

    private PlacementTable Change(Func<ImmutableList<PlacedHost>, ImmutableList<PlacedHost>> change, string why)
    {
        PlacementTable table;
        TaskCompletionSource changed;
        lock (_gate)
        {
            var hosts = change(_hosts);
            Volatile.Write(ref _hosts, hosts);
            var previous = _table;
            var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            table = new PlacementTable(previous.Version + 1, BuildRings(hosts), settled.Task);
            Volatile.Write(ref _table, table);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Each round starts after the one before it has settled, so hosts see the tables in order.
            var members = hosts.Select(h => h.Host).ToList();
            _ = Task.Run(() => DisseminateAsync(previous.Settled, table, members, settled), CancellationToken.None);
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

    private async Task DisseminateAsync(Task previous, PlacementTable table, List<ActorRuntime> hosts, TaskCompletionSource settled)
    {
        try
        {
            await previous;
            await Task.WhenAll(hosts.Select(async host =>
            {
                try
                {
                    await host.OnPlacementChangedAsync(table);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.LogError(e, "Host {AppId} could not take up placement table {Version}", host.AppId, table.Version);
                }
            }));
        }
        finally
        {
            settled.TrySetResult();
        }
    }
}

/// <summary>A host of the placement: an instance's actor runtime, its address and the types its app hosts.</summary>
internal sealed record PlacedHost(string Address, ActorRuntime Host, ImmutableHashSet<string> Types);

/// <summary>
/// One version of the placement: for each actor type, the ring of its hosts. <see cref="Settled"/> completes once every
/// host has deactivated the actors the table moved away from it.
/// </summary>
public sealed class PlacementTable(long version, ImmutableDictionary<string, ActorHashRing<ActorRuntime>> rings, Task settled)
{
    public static readonly PlacementTable Empty = new(0, ImmutableDictionary<string, ActorHashRing<ActorRuntime>>.Empty, Task.CompletedTask);

    public long Version { get; } = version;

    public Task Settled { get; } = settled;

    /// <summary>Whether any host hosts <paramref name="actorType"/>.</summary>
    public bool Hosts(string actorType) => rings.ContainsKey(actorType);

    /// <summary>How many hosts <paramref name="actorType"/> has.</summary>
    public int HostCount(string actorType) => rings.TryGetValue(actorType, out var ring) ? ring.HostCount : 0;

    /// <summary>The host that owns the actor under this table, or null when no host hosts its type.</summary>
    public ActorRuntime? Owner(string actorType, string actorId) => rings.TryGetValue(actorType, out var ring) ? ring.Owner(actorId) : null;

    public override string ToString() =>
        rings.IsEmpty ? "no actor types" : string.Join(", ", rings.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} on {r.Value.HostCount} host{(r.Value.HostCount == 1 ? "" : "s")}"));
}
