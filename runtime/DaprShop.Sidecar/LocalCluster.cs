using System.Collections.Concurrent;

namespace DaprShop.Sidecar;

/// <summary>
/// The sidecars of one run, hosted in one process. It stands in for what daprd gets from its
/// environment: name resolution (app id to sidecar), the placement of actor types, and resources
/// that a run shares, such as the in-memory message broker.
/// </summary>
/// <remarks>
/// Real daprd keeps <c>pubsub.in-memory</c> inside one sidecar, so only that app's subscribers see
/// its messages. Here one broker per component name is shared by every sidecar of the run, so the
/// embedded profile works across apps without a server.
/// </remarks>
public sealed class LocalCluster
{
    private readonly ConcurrentDictionary<string, Sidecar> _sidecars = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _shared = new(StringComparer.Ordinal);

    /// <summary>The sidecars currently registered, by app id.</summary>
    public IReadOnlyDictionary<string, Sidecar> Sidecars => _sidecars;

    /// <summary>Finds the sidecar of an app, as daprd's name resolution would.</summary>
    public bool TryResolve(string appId, out Sidecar sidecar) => _sidecars.TryGetValue(appId, out sidecar!);

    internal void Register(Sidecar sidecar)
    {
        if (!_sidecars.TryAdd(sidecar.AppId, sidecar))
        {
            throw new InvalidOperationException($"A sidecar for app id '{sidecar.AppId}' is already running in this cluster.");
        }
    }

    internal void Unregister(Sidecar sidecar) => _sidecars.TryRemove(new KeyValuePair<string, Sidecar>(sidecar.AppId, sidecar));

    /// <summary>
    /// A resource shared by every sidecar of the run (for example the broker behind a
    /// <c>pubsub.in-memory</c> component), created on first use.
    /// </summary>
    public T GetOrAddShared<T>(string key, Func<T> create)
        where T : class => (T)_shared.GetOrAdd($"{typeof(T).FullName}/{key}", _ => create());
}
