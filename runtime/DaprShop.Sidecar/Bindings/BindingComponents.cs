using DaprShop.Sidecar.Bindings.Cron;
using DaprShop.Sidecar.Bindings.LocalStorage;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Bindings;

/// <summary>The binding types built into the sidecar.</summary>
public static class BindingComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("bindings.localstorage", LocalStorageBinding.Load, "v1");
        catalog.Register("bindings.cron", CronBinding.Load, "v1");
    }
}
