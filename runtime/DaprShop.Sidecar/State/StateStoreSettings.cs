using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.State;

/// <summary>
/// The metadata every <c>state.*</c> component accepts whatever its backend: <c>keyPrefix</c> and
/// <c>actorStateStore</c>. Factories read it at load so a bad value stops start-up.
/// </summary>
public sealed record StateStoreSettings(StateKeyPrefix KeyPrefix, bool ActorStateStore)
{
    public static StateStoreSettings FromSpec(ComponentSpec spec, string appId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new StateStoreSettings(StateKeyPrefix.FromSpec(spec, appId), spec.Metadata.Bool("actorStateStore", false));
    }
}
