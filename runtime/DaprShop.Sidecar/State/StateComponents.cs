using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.State.InMemory;
using DaprShop.Sidecar.State.Outbox;
using DaprShop.Sidecar.State.Postgres;
using DaprShop.Sidecar.State.Redis;
using DaprShop.Sidecar.State.Sqlite;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.State;

/// <summary>The state store types built into the sidecar.</summary>
public static class StateComponents
{
    public static void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Register(catalog, "state.in-memory", (_, context) => new InMemoryStateStore(context.Time));
        Register(catalog, "state.sqlite", (spec, context) =>
        {
            var options = SqliteStateStoreOptions.FromSpec(spec, context);
            try
            {
                return SqliteStateStore.Open(options, context.Time, context.LoggerFactory.CreateLogger<SqliteStateStore>());
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                throw spec.Metadata.Error("connectionString", $"cannot open '{options.DataSource}': {e.Message}");
            }
        });
        Register(catalog, RedisStateStore.ComponentType, RedisStateStore.Create);

        // daprd registers the PostgreSQL store under both names, with v1 and v2 (cmd/daprd/components/state_postgres.go).
        Register(catalog, PostgresStateStore.ComponentType, PostgresStateStore.Create, "v1", "v2");
        Register(catalog, "state.postgres", PostgresStateStore.Create, "v1", "v2");
    }

    /// <summary>
    /// Registers a store type whose factory first checks the metadata every store shares. The sidecar's own rows in a
    /// store (actor reminders, outbox messages) are found again after a restart by key prefix, so a store marked
    /// <c>actorStateStore</c> or carrying outbox settings must list keys by prefix (<see cref="IStateKeyQuery"/>).
    /// </summary>
    internal static void Register(ComponentCatalog catalog, string type, Func<ComponentSpec, ComponentContext, IStateStore> create, params string[] versions) =>
        catalog.Register(type, (spec, context) =>
        {
            var settings = StateStoreSettings.FromSpec(spec, context.AppId);
            var store = create(spec, context);
            var needs = settings.ActorStateStore ? "actorStateStore" : OutboxSettings.FromSpec(spec) is not null ? "outboxPublishPubsub" : null;
            if (needs is not null && store is not IStateKeyQuery)
            {
                (store as IDisposable)?.Dispose();
                throw spec.Metadata.Error(needs, $"{type} cannot list its keys by prefix, which reminders and the outbox need after a restart");
            }

            return store;
        }, versions.Length == 0 ? ["v1"] : versions);
}
