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
            var (reason, unreachable) = Diagnose(settings, e);
            throw spec.Metadata.Error(
                "redisHost",
                $"cannot connect to Redis at {settings.Address} ({reason}); "
                + (unreachable
                    ? "start a Redis server there (Debian: apt-get install redis-server; or `dapr init`), or point redisHost at one"
                    : "fix the component's connection metadata"));
        }
    }

    /// <summary>
    /// Why the connection failed, in words a user can act on. StackExchange.Redis only says it could not connect, so a
    /// plain TCP connection tells a refused or unreachable address from a server that answered but not as expected.
    /// </summary>
    private static (string Reason, bool Unreachable) Diagnose(RedisClientSettings settings, Exception error)
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpClient();
            if (!probe.ConnectAsync(settings.Host, settings.Port).Wait(settings.DialTimeout))
            {
                return ($"no answer within {settings.DialTimeout.TotalSeconds:0.#} s", true);
            }
        }
        catch (AggregateException e) when (e.InnerException is System.Net.Sockets.SocketException socket)
        {
            return (socket.SocketErrorCode switch
            {
                System.Net.Sockets.SocketError.ConnectionRefused => "connection refused: nothing listens there",
                System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TryAgain => $"host '{settings.Host}' not found",
                _ => socket.Message,
            }, true);
        }

        return error is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
            ? ("authentication failed: check redisUsername and redisPassword", false)
            : ("the address accepts connections but the Redis handshake failed: check redisPassword, redisUsername and enableTLS", false);
    }

    /// <summary>A second connection for one blocking reader (XREADGROUP ... BLOCK), so it never holds up the shared one.</summary>
    public static Task<ConnectionMultiplexer> ConnectReaderAsync(RedisClientSettings settings, string clientName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.ToOptions(clientName);
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
