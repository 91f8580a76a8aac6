namespace DaprShop.Sidecar.Components;

/// <summary>The component types built into the local sidecar; each building block registers its own.</summary>
internal static class BuiltInComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        // Building blocks add their component types here (state, pub/sub, bindings, secret stores).
        _ = catalog;
        State.StateComponents.Register(catalog);
        Secrets.SecretStoreComponents.Register(catalog);
        Bindings.BindingComponents.Register(catalog);
        catalog.Register(PubSub.InMemoryPubSub.ComponentType, PubSub.InMemoryPubSub.Create, "v1");
    }
}
