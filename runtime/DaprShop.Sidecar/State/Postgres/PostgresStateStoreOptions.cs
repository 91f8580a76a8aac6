using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DaprShop.Sidecar.Components;
using Npgsql;

namespace DaprShop.Sidecar.State.Postgres;

/// <summary>
/// The metadata of a <c>state.postgresql</c> component, read as components-contrib v1.18 reads it
/// (<c>common/component/postgresql/v1/metadata.go</c>, <c>state/postgresql/v2/metadata.go</c>,
/// <c>common/authentication/postgresql</c>): <c>connectionString</c> (alias <c>url</c>; libpq's
/// <c>key=value</c> form or a <c>postgres://</c> URL, as pgx takes it), or and over it the fields <c>host</c>,
/// <c>hostaddr</c>, <c>port</c>, <c>database</c>, <c>user</c>, <c>password</c>, <c>sslRootCert</c>; <c>tableName</c> (v1, default
/// <c>state</c>, may be <c>schema.table</c>) or <c>tablePrefix</c> (v2, default empty; the table is
/// <c>{prefix}state</c>), <c>metadataTableName</c> (<c>dapr_metadata</c>), <c>timeout</c> (alias
/// <c>timeoutInSeconds</c>, 20 s, at least 1 s), <c>cleanupInterval</c> (alias
/// <c>cleanupIntervalInSeconds</c>, 1 h; 0 or less turns the periodic removal of expired rows off).
/// </summary>
public sealed partial record PostgresStateStoreOptions(
    bool V2,
    string ConnectionString,
    string Address,
    string StateTable,
    string TablePrefix,
    string MetadataTable,
    TimeSpan Timeout,
    TimeSpan? CleanupInterval)
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedIdentifier();

    public static PostgresStateStoreOptions FromSpec(ComponentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var metadata = spec.Metadata;
        var v2 = spec.Version == "v2";
        var field = metadata.Contains("connectionString") || !metadata.Contains("url") ? "connectionString" : "url";
        var text = metadata.Get(field)?.Trim();
        if (string.IsNullOrEmpty(text) && string.IsNullOrEmpty(metadata.Get("host")) && string.IsNullOrEmpty(metadata.Get("hostaddr")))
        {
            throw metadata.Error(field, "is required (or give host, port, database, user and password as fields of their own)");
        }

        var builder = ToNpgsql(metadata, field, text ?? string.Empty);

        var timeout = metadata.Contains("timeout") || !metadata.Contains("timeoutInSeconds")
            ? metadata.Duration("timeout", TimeSpan.FromSeconds(20))
            : metadata.Duration("timeoutInSeconds", TimeSpan.FromSeconds(20));
        if (timeout < TimeSpan.FromSeconds(1))
        {
            throw metadata.Error("timeout", "invalid value: must be greater than 1s");
        }

        var cleanupField = metadata.Contains("cleanupInterval") || !metadata.Contains("cleanupIntervalInSeconds") ? "cleanupInterval" : "cleanupIntervalInSeconds";
        var cleanupText = metadata.Get(cleanupField);
        var cleanup = string.IsNullOrEmpty(cleanupText) ? TimeSpan.FromHours(1) : metadata.Duration(cleanupField, TimeSpan.FromHours(1));

        // Npgsql takes at most 1,024 s to connect; daprd has no such bound, so a longer timeout is capped there.
        builder.Timeout = Math.Clamp((int)Math.Ceiling(timeout.TotalSeconds), 1, 1024);
        builder.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        ApplySeparateFields(metadata, builder);

        // v2's table is {tablePrefix}state; the prefix may name a schema ("shop." gives shop.state).
        var tablePrefix = v2 ? metadata.Text("tablePrefix", string.Empty) : string.Empty;
        if (v2 && !QualifiedIdentifier().IsMatch(tablePrefix + "state"))
        {
            throw metadata.Error("tablePrefix", $"'{tablePrefix}' does not make a valid table name ('{tablePrefix}state'): letters, digits and underscores, optionally a schema and a dot");
        }

        return new PostgresStateStoreOptions(
            v2,
            builder.ConnectionString,
            string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}"),
            v2 ? tablePrefix + "state" : Identifier(metadata, "tableName", "state"),
            tablePrefix,
            Identifier(metadata, "metadataTableName", "dapr_metadata"),
            timeout,
            cleanup > TimeSpan.Zero ? cleanup : null);
    }

    private static string Identifier(ComponentMetadata metadata, string name, string defaultValue)
    {
        var value = metadata.Text(name, defaultValue);
        return QualifiedIdentifier().IsMatch(value)
            ? value
            : throw metadata.Error(name, $"'{value}' is not a valid table name (letters, digits and underscores, optionally schema.table)");
    }

    /// <summary>
    /// The separate connection fields daprd's PostgreSQL components take besides the connection string (components-contrib
    /// <c>common/authentication/postgresql</c>): each one given replaces that part of it.
    /// </summary>
    private static void ApplySeparateFields(ComponentMetadata metadata, NpgsqlConnectionStringBuilder builder)
    {
        if (metadata.Get("host") is { Length: > 0 } host)
        {
            builder.Host = host;
        }
        else if (metadata.Get("hostaddr") is { Length: > 0 } hostaddr)
        {
            builder.Host = hostaddr;
        }

        if (metadata.Contains("port") && !string.IsNullOrEmpty(metadata.Get("port")))
        {
            builder.Port = metadata.Number("port", builder.Port);
        }

        if (metadata.Get("database") is { Length: > 0 } database)
        {
            builder.Database = database;
        }

        if (metadata.Get("user") is { Length: > 0 } user)
        {
            builder.Username = user;
        }

        if (metadata.Get("password") is { Length: > 0 } password)
        {
            builder.Password = password;
        }

        if (metadata.Get("sslRootCert") is { Length: > 0 } rootCert)
        {
            builder.RootCertificate = rootCert;
        }
    }

    /// <summary>
    /// The pgx connection string (libpq keywords or a URL) as Npgsql settings. Keywords Npgsql has no counterpart for
    /// stop start-up rather than being dropped; pgx's own pool settings are accepted.
    /// </summary>
    private static NpgsqlConnectionStringBuilder ToNpgsql(ComponentMetadata metadata, string field, string text)
    {
        IEnumerable<KeyValuePair<string, string>> pairs;
        try
        {
            pairs = text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(text)
                : FromKeywords(text);
        }
        catch (FormatException e)
        {
            throw metadata.Error(field, $"is not a PostgreSQL connection string: {e.Message}");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = "localhost", Port = 5432, Pooling = true };
        foreach (var (key, value) in pairs)
        {
            switch (key)
            {
                case "host":
                    builder.Host = value;
                    break;
                case "hostaddr":
                    if (string.IsNullOrEmpty(builder.Host) || builder.Host == "localhost")
                    {
                        builder.Host = value;
                    }

                    break;
                case "port":
                    builder.Port = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : throw metadata.Error(field, $"port '{value}' is not a number");
                    break;
                case "dbname" or "database":
                    builder.Database = value;
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw metadata.Error(field, $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                    };
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "search_path":
                    builder.SearchPath = value;
                    break;
                case "pool_max_conns":
                    builder.MaxPoolSize = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : throw metadata.Error(field, $"pool_max_conns '{value}' is not a number");
                    break;
                case "pool_min_conns":
                    builder.MinPoolSize = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var min) ? min : throw metadata.Error(field, $"pool_min_conns '{value}' is not a number");
                    break;
                case "connect_timeout" or "pool_max_conn_lifetime" or "pool_max_conn_idle_time" or "pool_health_check_period" or "pool_max_conn_lifetime_jitter":
                    // connect_timeout: the component's timeout bounds connecting; the others are pgx pool tuning.
                    break;
                default:
                    throw metadata.Error(field, $"'{key}' is not supported by DaprShop's local runtime");
            }
        }

        if (string.IsNullOrEmpty(builder.Username))
        {
            builder.Username = Environment.UserName;
        }

        return builder;
    }

    /// <summary>libpq's <c>keyword=value</c> list: spaces between pairs, single quotes around values with spaces, backslash escapes.</summary>
    private static List<KeyValuePair<string, string>> FromKeywords(string text)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                throw new FormatException($"'{text[i..]}' has no '='");
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (i < text.Length && text[i] != '\'')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new FormatException($"the quoted value of '{key}' is not closed");
                }

                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }
            }

            pairs.Add(new(key.ToLowerInvariant(), value.ToString()));
        }

        return pairs;
    }

    private static List<KeyValuePair<string, string>> FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new FormatException("the URL does not parse");
        }

        var pairs = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(uri.Host))
        {
            pairs.Add(new("host", uri.Host));
        }

        if (uri.Port > 0)
        {
            pairs.Add(new("port", uri.Port.ToString(CultureInfo.InvariantCulture)));
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var user = uri.UserInfo.Split(':', 2);
            pairs.Add(new("user", Uri.UnescapeDataString(user[0])));
            if (user.Length > 1)
            {
                pairs.Add(new("password", Uri.UnescapeDataString(user[1])));
            }
        }

        var database = uri.AbsolutePath.TrimStart('/');
        if (database.Length > 0)
        {
            pairs.Add(new("dbname", Uri.UnescapeDataString(database)));
        }

        foreach (var part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            pairs.Add(new(Uri.UnescapeDataString(kv[0]).ToLowerInvariant(), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : string.Empty));
        }

        return pairs;
    }
}
