using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Secrets.LocalEnv;
using DaprShop.Sidecar.Secrets.LocalFile;

namespace DaprShop.Sidecar.Secrets;

/// <summary>The secret store types built into the sidecar.</summary>
public static class SecretStoreComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("secretstores.local.file", LocalFileSecretStore.Load, "v1");
        catalog.Register("secretstores.local.env", (spec, _) => LocalEnvSecretStore.Load(spec), "v1");
    }
}
