namespace DaprShop.Sidecar.Components;

/// <summary>The component types built into the local sidecar; each building block registers its own.</summary>
internal static class BuiltInComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        State.StateComponents.Register(catalog);
        Secrets.SecretStoreComponents.Register(catalog);
        Bindings.BindingComponents.Register(catalog);
        PubSub.PubSubComponents.Register(catalog);
    }
}
