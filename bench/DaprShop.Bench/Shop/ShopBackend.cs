using DaprShop.Testing;

namespace DaprShop.Bench.Shop;

/// <summary>
/// The components profile the bench's shops run on. On the redis and postgres profiles the bench starts one private
/// <c>redis-server</c> (Debian's package; a free loopback port, a temporary folder, an append-only file synced on
/// every write, so that an acknowledged write is as durable as a SQLite commit), and on postgres a private PostgreSQL
/// cluster with fsync on, and gives each shop databases of its own, so every shop starts empty.
/// </summary>
internal sealed class ShopBackend : IAsyncDisposable
{
    private readonly RedisServer? _redis;
    private readonly PostgresServer? _postgres;

    private ShopBackend(string profile, RedisServer? redis, PostgresServer? postgres)
    {
        Profile = profile;
        _redis = redis;
        _postgres = postgres;
    }

    public string Profile { get; }

    public static ShopBackend Start(string profile) => new(
        profile,
        profile is "redis" or "postgres" ? RedisServer.Start("bench", durable: true) : null,
        profile == "postgres" ? PostgresServer.Start("bench", durable: true) : null);

    /// <summary>Where the next shop keeps its Redis data (state on redis, pub/sub on redis and postgres), or null on the embedded profile.</summary>
    public (string Address, int Database)? NextRedis() => _redis is null ? null : (_redis.Address, _redis.NextDatabase());

    /// <summary>The connection string of a new database for the next shop on the postgres profile, else null.</summary>
    public string? NextPostgres() => _postgres?.CreateDatabase();

    /// <summary>What the report says of the backends.</summary>
    public string Describe() => Profile switch
    {
        "redis" => $"components/common + components/redis copied to a temporary folder and pointed at a private redis-server (appendonly yes, appendfsync always) on {_redis!.Address}, a new database per shop",
        "postgres" => $"components/common + components/postgres copied to a temporary folder: state.postgresql v2 on a private PostgreSQL cluster (fsync on) on port {_postgres!.Port} and pubsub.redis on a private redis-server (appendfsync always) on {_redis!.Address}, new databases per shop",
        _ => "components/common + components/embedded copied to a temporary folder, so SQLite state starts empty",
    };

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
