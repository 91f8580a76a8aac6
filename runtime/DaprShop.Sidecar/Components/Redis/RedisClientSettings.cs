using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace DaprShop.Sidecar.Components.Redis;

/// <summary>
/// The connection metadata that <c>state.redis</c> and <c>pubsub.redis</c> share, read as
/// components-contrib reads it (<c>common/component/redis/settings.go</c> and <c>redis.go</c>,
/// v1.18): <c>redisHost</c> (required, <c>host[:port]</c>, port 6379 when none), <c>redisPort</c>
/// (only when <c>redisHost</c> names no other port), <c>redisPassword</c>, <c>redisUsername</c>,
/// <c>redisDB</c> (0), <c>enableTLS</c>, <c>insecureSkipTLSVerify</c>, <c>dialTimeout</c>. Durations
/// in this family of fields are Go durations or a bare number of milliseconds.
/// </summary>
/// <remarks>
/// The pool and retry fields of go-redis (<c>poolSize</c>, <c>redisMaxRetries</c>,
/// <c>readTimeout</c>, ...) are accepted and checked for form; StackExchange.Redis multiplexes one
/// connection and has no pool, so they change nothing here. What a single local Redis cannot be
/// (<c>redisType: cluster</c>, sentinel <c>failover</c>, Entra ID, client certificates) stops
/// start-up with a line that says so, rather than running as something else.
/// </remarks>
public sealed record RedisClientSettings(
    string Host,
    int Port,
    string? Username,
    string? Password,
    int Database,
    bool EnableTls,
    bool InsecureSkipTlsVerify,
    TimeSpan DialTimeout)
{
    public const int DefaultPort = 6379;

    /// <summary>daprd gives every component this long to initialise (the component's default <c>initTimeout</c>).</summary>
    public static readonly TimeSpan DefaultDialTimeout = TimeSpan.FromSeconds(5);

    private static readonly string[] TuningDurations =
    [
        "redisMinRetryInterval", "redisMaxRetryInterval", "readTimeout", "writeTimeout", "maxConnAge",
        "poolTimeout", "idleTimeout", "idleCheckFrequency",
    ];

    private static readonly string[] TuningNumbers = ["redisMaxRetries", "poolSize", "minIdleConns"];

    /// <summary>The address as components-contrib prints it in its errors.</summary>
    public string Address => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static RedisClientSettings FromSpec(ComponentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var metadata = spec.Metadata;
        var (host, port) = ParseHost(metadata);

        foreach (var unsupported in new[] { "failover", "useEntraID", "useAzureAD" })
        {
            if (metadata.Bool(unsupported, false))
            {
                throw metadata.Error(unsupported, "is not supported by DaprShop's local runtime (it connects to one Redis node)");
            }
        }

        if (metadata.OneOf("redisType", "node", "node", "cluster") == "cluster")
        {
            throw metadata.Error("redisType", "'cluster' is not supported by DaprShop's local runtime (it connects to one Redis node)");
        }

        if (!string.IsNullOrEmpty(metadata.Get("clientCert")) || !string.IsNullOrEmpty(metadata.Get("clientKey")))
        {
            throw metadata.Error("clientCert", "client certificates are not supported by DaprShop's local runtime");
        }

        var database = metadata.Number("redisDB", 0);
        if (database < 0)
        {
            throw metadata.Error("redisDB", $"'{database}' is not a database number");
        }

        foreach (var name in TuningDurations)
        {
            _ = Duration(metadata, name, TimeSpan.Zero);
        }

        foreach (var name in TuningNumbers)
        {
            _ = metadata.Number(name, 0);
        }

        var dialTimeout = Duration(metadata, "dialTimeout", DefaultDialTimeout);
        return new RedisClientSettings(
            host,
            port,
            NullIfEmpty(metadata.Get("redisUsername")),
            NullIfEmpty(metadata.Get("redisPassword")),
            database,
            metadata.Bool("enableTLS", false),
            metadata.Bool("insecureSkipTLSVerify", false),
            dialTimeout <= TimeSpan.Zero ? DefaultDialTimeout : dialTimeout);
    }

    /// <summary>
    /// A duration of the Redis family: a bare integer is milliseconds (components-contrib's
    /// <c>redis.Duration</c>), anything else a Go duration.
    /// </summary>
    public static TimeSpan Duration(ComponentMetadata metadata, string name, TimeSpan defaultValue)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var value = metadata.Get(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return GoDuration.TryParse(value, out var duration)
            ? duration
            : throw metadata.Error(name, $"'{value}' is not a duration (a number of milliseconds, or Go syntax such as 500ms, 10s)");
    }

    /// <summary>The StackExchange.Redis options: fail fast while disconnected, so callers get errors (and resiliency applies) instead of waiting.</summary>
    public ConfigurationOptions ToOptions(string clientName)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { new DnsEndPoint(Host, Port) },
            User = Username,
            Password = Password,
            DefaultDatabase = Database,
            Ssl = EnableTls,
            SslHost = EnableTls ? Host : null,
            ClientName = clientName,
            AbortOnConnectFail = true,
            ConnectTimeout = (int)DialTimeout.TotalMilliseconds,
            ConnectRetry = 1,
            BacklogPolicy = BacklogPolicy.FailFast,

            // RESP2, as go-redis speaks to Redis for daprd; it also keeps raw replies (XREADGROUP) in one shape.
            Protocol = RedisProtocol.Resp2,
            ReconnectRetryPolicy = new LinearRetry(500),
        };
        if (EnableTls && InsecureSkipTlsVerify)
        {
            // The component's insecureSkipTLSVerify asks for exactly this, as it does of daprd.
#pragma warning disable CA5359
            options.CertificateValidation += (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return options;
    }

    private static (string Host, int Port) ParseHost(ComponentMetadata metadata)
    {
        var raw = metadata.Required("redisHost").Trim();
        if (raw.Contains(',', StringComparison.Ordinal))
        {
            throw metadata.Error("redisHost", $"'{raw}' names several nodes; DaprShop's local runtime connects to one Redis node");
        }

        var explicitPort = metadata.Number("redisPort", 0);
        if (explicitPort is < 0 or > 65535)
        {
            throw metadata.Error("redisPort", $"'{explicitPort}' is not a port");
        }

        string host;
        int? hostPort = null;
        var colon = raw.LastIndexOf(':');
        var bracketed = raw.StartsWith('[');
        if (colon > 0 && (!bracketed || raw.IndexOf(']', StringComparison.Ordinal) < colon))
        {
            host = raw[..colon].Trim('[', ']');
            hostPort = int.TryParse(raw[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535
                ? p
                : throw metadata.Error("redisHost", $"'{raw}' has no valid port after ':'");
        }
        else
        {
            host = raw.Trim('[', ']');
        }

        if (host.Length == 0)
        {
            throw metadata.Error("redisHost", $"'{raw}' names no host");
        }

        if (hostPort is { } fromHost && explicitPort != 0 && explicitPort != fromHost)
        {
            throw metadata.Error(
                "redisPort",
                $"redis host '{raw}' already contains port {fromHost}, but redisPort is set to {explicitPort}; remove one of them");
        }

        return (host, hostPort ?? (explicitPort != 0 ? explicitPort : DefaultPort));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
