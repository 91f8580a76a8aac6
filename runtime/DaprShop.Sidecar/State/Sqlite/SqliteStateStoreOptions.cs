using System.Text.RegularExpressions;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.State.Sqlite;

/// <summary>
/// The metadata of a <c>state.sqlite</c> component, with components-contrib's names, aliases and
/// defaults (<c>state/sqlite/metadata.yaml</c>, <c>common/authentication/sqlite/metadata.go</c>):
/// <c>connectionString</c> (alias <c>url</c>, required: a file path, a <c>file:</c> URI, or
/// <c>:memory:</c>); <c>timeout</c> (alias <c>timeoutInSeconds</c>, default 20s, at least 1s);
/// <c>busyTimeout</c> (default 2s, 0 for none); <c>disableWAL</c> (default false); <c>tableName</c>
/// (default <c>state</c>); <c>metadataTableName</c> (default <c>metadata</c>); <c>cleanupInterval</c>
/// (alias <c>cleanupIntervalInSeconds</c>, default 0: no periodic removal of expired rows).
/// Durations are Go durations or a number of seconds.
/// </summary>
public sealed partial record SqliteStateStoreOptions(
    string DataSource,
    bool IsInMemory,
    bool ReadOnly,
    string TableName,
    string MetadataTableName,
    TimeSpan Timeout,
    TimeSpan BusyTimeout,
    bool DisableWal,
    TimeSpan CleanupInterval)
{
    [GeneratedRegex("^[A-Za-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>Reads and validates the metadata; relative paths resolve against the run's base folder.</summary>
    public static SqliteStateStoreOptions FromSpec(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = spec.Metadata;
        var field = metadata.Contains("connectionString") || !metadata.Contains("url") ? "connectionString" : "url";
        var connectionString = metadata.Required(field).Trim();

        var (path, query) = SplitQuery(connectionString);
        foreach (var pragma in query.Where(p => p.Key == "_pragma").Select(p => p.Value.ToLowerInvariant()))
        {
            // components-contrib refuses these in the connection string: they have metadata of their own.
            if (pragma.StartsWith("busy_timeout", StringComparison.Ordinal) || pragma.StartsWith("journal_mode", StringComparison.Ordinal) || pragma.StartsWith("foreign_keys", StringComparison.Ordinal))
            {
                throw metadata.Error(field, $"'_pragma={pragma}' is not allowed in the connection string; use the busyTimeout and disableWAL metadata");
            }
        }

        var lower = connectionString.ToLowerInvariant();
        var isInMemory = lower.StartsWith(":memory:", StringComparison.Ordinal) || lower.StartsWith("file::memory:", StringComparison.Ordinal);
        var readOnly = query.Any(p => (p.Key == "mode" && p.Value == "ro") || (p.Key == "immutable" && p.Value == "1"));
        string dataSource;
        if (isInMemory)
        {
            dataSource = $"daprshop-{context.AppId}-{spec.Name}-{Guid.NewGuid():N}";
        }
        else
        {
            if (path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                path = path["file:".Length..];
            }

            if (string.IsNullOrWhiteSpace(path))
            {
                throw metadata.Error(field, $"'{connectionString}' names no database file");
            }

            dataSource = context.ResolvePath(path);
            try
            {
                var folder = Path.GetDirectoryName(dataSource);
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw metadata.Error(field, $"cannot create the folder of '{dataSource}': {e.Message}");
            }
        }

        var timeout = metadata.Contains("timeout") || !metadata.Contains("timeoutInSeconds")
            ? metadata.Duration("timeout", TimeSpan.FromSeconds(20))
            : metadata.Duration("timeoutInSeconds", TimeSpan.FromSeconds(20));
        if (timeout < TimeSpan.FromSeconds(1))
        {
            throw metadata.Error("timeout", "invalid value: must be at least 1s");
        }

        var busyTimeout = metadata.Duration("busyTimeout", TimeSpan.FromSeconds(2));
        var cleanupInterval = metadata.Contains("cleanupInterval") || !metadata.Contains("cleanupIntervalInSeconds")
            ? metadata.Duration("cleanupInterval", TimeSpan.Zero)
            : metadata.Duration("cleanupIntervalInSeconds", TimeSpan.Zero);

        return new SqliteStateStoreOptions(
            dataSource,
            isInMemory,
            readOnly,
            ValidIdentifier(metadata, "tableName", "state"),
            ValidIdentifier(metadata, "metadataTableName", "metadata"),
            timeout,
            busyTimeout < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Floor(busyTimeout.TotalMilliseconds)),
            metadata.Bool("disableWAL", false),
            cleanupInterval < TimeSpan.Zero ? TimeSpan.Zero : cleanupInterval);
    }

    private static string ValidIdentifier(ComponentMetadata metadata, string name, string defaultValue)
    {
        var value = metadata.Text(name, defaultValue);
        return Identifier().IsMatch(value)
            ? value
            : throw metadata.Error(name, $"'{value}' is not a valid identifier (letters, digits and underscores only)");
    }

    private static (string Path, List<KeyValuePair<string, string>> Query) SplitQuery(string connectionString)
    {
        var index = connectionString.IndexOf('?', StringComparison.Ordinal);
        if (index < 0)
        {
            return (connectionString, []);
        }

        var query = connectionString[(index + 1)..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : string.Empty))
            .ToList();
        return (connectionString[..index], query);
    }
}
