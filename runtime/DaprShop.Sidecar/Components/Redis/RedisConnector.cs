using StackExchange.Redis;

namespace DaprShop.Sidecar.Components.Redis;

/// <summary>
/// Opens the connection of a Redis component at start-up, as daprd's <c>Init</c> does with its
/// <c>PING</c>: a server that cannot be reached within <see cref="RedisClientSettings.DialTimeout"/>
/// (daprd's component init timeout, 5 s) stops start-up with one line naming the component, the
/// address and what to do. Once connected, StackExchange.Redis reconnects by itself; while it is
/// disconnected every command fails at once (<see cref="BacklogPolicy.FailFast"/>).
/// </summary>
public static class RedisConnector
{
    public static ConnectionMultiplexer Connect(ComponentSpec spec, RedisClientSettings settings, string clientName)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return ConnectionMultiplexer.Connect(settings.ToOptions(clientName));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw spec.Metadata.Error(
                "redisHost",
                $"cannot connect to Redis at {settings.Address} ({FirstLine(e.Message)}); start a Redis server there "
                + $"(Debian: apt-get install redis-server; or `dapr init`), or point redisHost at one");
        }
    }

    /// <summary>A second connection for one blocking reader (XREADGROUP ... BLOCK), so it never holds up the shared one.</summary>
    public static Task<ConnectionMultiplexer> ConnectReaderAsync(RedisClientSettings settings, string clientName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.ToOptions(clientName);
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd('.', ' ');
    }
}
