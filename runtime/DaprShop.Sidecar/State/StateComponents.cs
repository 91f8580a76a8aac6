using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.State.InMemory;
using DaprShop.Sidecar.State.Sqlite;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.State;

/// <summary>The state store types built into the sidecar.</summary>
public static class StateComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.Register("state.in-memory", (spec, context) =>
        {
            _ = StateStoreSettings.FromSpec(spec, context.AppId);
            return new InMemoryStateStore(TimeProvider.System);
        }, "v1");
        catalog.Register("state.sqlite", (spec, context) =>
        {
            _ = StateStoreSettings.FromSpec(spec, context.AppId);
            var options = SqliteStateStoreOptions.FromSpec(spec, context);
            try
            {
                return SqliteStateStore.Open(options, TimeProvider.System, context.LoggerFactory.CreateLogger<SqliteStateStore>());
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                throw spec.Metadata.Error("connectionString", $"cannot open '{options.DataSource}': {e.Message}");
            }
        }, "v1");
    }
}
