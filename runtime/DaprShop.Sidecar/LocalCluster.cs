using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace DaprShop.Sidecar;

/// <summary>
/// The sidecars of one run, hosted in one process. It stands in for what daprd gets from its
/// environment: name resolution (app id to the sidecars of the app's instances), the placement of
/// actor types, and resources that a run shares, such as the in-memory message broker.
/// </summary>
/// <remarks>
/// Real daprd keeps <c>pubsub.in-memory</c> inside one sidecar, so only that app's subscribers see
/// its messages. Here one broker per component name is shared by every sidecar of the run, so the
/// embedded profile works across apps without a server.
/// </remarks>
public sealed class LocalCluster
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, object> _shared = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ImmutableArray<Sidecar>> _apps = ImmutableDictionary.Create<string, ImmutableArray<Sidecar>>(StringComparer.Ordinal);
    private int _next;

    /// <summary>The sidecars of an app's instances, in the order they registered (none when the app has none).</summary>
    public IReadOnlyList<Sidecar> Instances(string appId) =>
        Volatile.Read(ref _apps).TryGetValue(appId, out var instances) ? instances : [];

    /// <summary>
    /// Finds a sidecar of an app, as daprd's name resolution would: with several instances, each call takes the next
    /// one in turn, as the mDNS resolver rotates through the addresses it found (components-contrib
    /// <c>nameresolution/mdns</c>), among those whose app is up (as a Kubernetes Service routes to ready pods only);
    /// when none is up yet, among all of them.
    /// </summary>
    public bool TryResolve(string appId, out Sidecar sidecar)
    {
        if (!Volatile.Read(ref _apps).TryGetValue(appId, out var instances) || instances.IsEmpty)
        {
            sidecar = null!;
            return false;
        }

        if (instances.Length == 1)
        {
            sidecar = instances[0];
            return true;
        }

        var ready = instances.Where(s => s.AppReady.IsCompletedSuccessfully).ToList();
        IReadOnlyList<Sidecar> candidates = ready.Count > 0 ? ready : instances;
        sidecar = candidates[(int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Count)];
        return true;
    }

    internal void Register(Sidecar sidecar)
    {
        lock (_gate)
        {
            var instances = _apps.GetValueOrDefault(sidecar.AppId, []);
            if (instances.Any(s => s.InstanceName == sidecar.InstanceName))
            {
                throw new InvalidOperationException($"A sidecar for app id '{sidecar.AppId}' is already running in this cluster as {sidecar.InstanceName}.");
            }

            Volatile.Write(ref _apps, _apps.SetItem(sidecar.AppId, instances.Add(sidecar)));
        }
    }

    internal void Unregister(Sidecar sidecar)
    {
        lock (_gate)
        {
            if (_apps.TryGetValue(sidecar.AppId, out var instances) && instances.Contains(sidecar))
            {
                var left = instances.Remove(sidecar);
                Volatile.Write(ref _apps, left.IsEmpty ? _apps.Remove(sidecar.AppId) : _apps.SetItem(sidecar.AppId, left));
            }
        }
    }

    /// <summary>
    /// A resource shared by every sidecar of the run (for example the broker behind a
    /// <c>pubsub.in-memory</c> component), created on first use.
    /// </summary>
    public T GetOrAddShared<T>(string key, Func<T> create)
        where T : class => (T)_shared.GetOrAdd($"{typeof(T).FullName}/{key}", _ => create());
}
