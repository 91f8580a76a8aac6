using System.Text;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>Component files for conformance tests, written as a Dapr user would write them.</summary>
public static class ComponentYaml
{
    /// <summary>The state store kinds every state test runs against.</summary>
    public static TheoryData<string> StateStoreKinds => new() { "in-memory", "sqlite", "redis", "postgresql-v1", "postgresql-v2" };

    /// <summary>The state store kinds that keep data across a sidecar restart and list keys by prefix (actors, reminders, outbox).</summary>
    public static TheoryData<string> DurableStateStoreKinds => new() { "sqlite", "redis", "postgresql-v1", "postgresql-v2" };

    /// <summary>Metadata of a Redis component on the test Redis, in a database no other test uses (or <paramref name="database"/>).</summary>
    public static (string Name, string Value)[] Redis(int? database = null, RedisServer? server = null) =>
    [
        ("redisHost", (server ?? RedisServer.Shared).Address),
        ("redisDB", (database ?? (server ?? RedisServer.Shared).NextDatabase()).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public static string Component(string name, string type, params (string Name, string Value)[] metadata) =>
        Component(name, type, "v1", metadata);

    public static string Component(string name, string type, string version, params (string Name, string Value)[] metadata)
    {
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: dapr.io/v1alpha1")
            .AppendLine("kind: Component")
            .AppendLine("metadata:")
            .AppendLine($"  name: {name}")
            .AppendLine("spec:")
            .AppendLine($"  type: {type}")
            .AppendLine($"  version: {version}")
            .AppendLine("  metadata:");
        foreach (var (key, value) in metadata)
        {
            yaml.AppendLine($"  - name: {key}").AppendLine($"    value: \"{value}\"");
        }

        if (metadata.Length == 0)
        {
            yaml.Replace("  metadata:" + Environment.NewLine, "  metadata: []" + Environment.NewLine);
        }

        return yaml.ToString();
    }

    /// <summary>
    /// A state store of the given kind; a SQLite store keeps its file in <paramref name="sqliteFile"/>
    /// (default: <c>state/{name}.db</c> under the resources folder).
    /// </summary>
    public static string StateStore(string kind, string name = "statestore", string? sqliteFile = null, params (string Name, string Value)[] metadata) => kind switch
    {
        "in-memory" => Component(name, "state.in-memory", metadata),
        "sqlite" => Component(name, "state.sqlite", [("connectionString", sqliteFile ?? $"state/{name}.db"), .. metadata]),
        "redis" => Component(name, "state.redis", [.. Redis(), .. metadata]),
        "postgresql-v1" => Component(name, "state.postgresql", "v1", [("connectionString", PostgresServer.Shared.CreateDatabase()), .. metadata]),
        "postgresql-v2" => Component(name, "state.postgresql", "v2", [("connectionString", PostgresServer.Shared.CreateDatabase()), .. metadata]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown state store kind"),
    };
}
