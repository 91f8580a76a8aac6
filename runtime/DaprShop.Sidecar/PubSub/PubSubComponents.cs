using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.PubSub.Redis;

namespace DaprShop.Sidecar.PubSub;

/// <summary>The pub/sub component types built into the sidecar.</summary>
public static class PubSubComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register(InMemoryPubSub.ComponentType, InMemoryPubSub.Create, "v1");
        catalog.Register(RedisStreamsPubSub.ComponentType, RedisStreamsPubSub.Create, "v1");
    }
}
