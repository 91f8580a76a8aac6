using DaprShop.Testing;

namespace DaprShop.Bench.Shop;

/// <summary>
/// The components profile the bench's shops run on. On the redis profile the bench starts one private
/// <c>redis-server</c> (Debian's package; a free loopback port, a temporary folder, an append-only file synced on
/// every write, so that an acknowledged write is as durable as a SQLite commit) and gives each shop a database of its
/// own, so every shop starts empty.
/// </summary>
internal sealed class ShopBackend : IAsyncDisposable
{
    private readonly RedisServer? _redis;

    private ShopBackend(string profile, RedisServer? redis)
    {
        Profile = profile;
        _redis = redis;
    }

    public string Profile { get; }

    public static ShopBackend Start(string profile) =>
        new(profile, profile == "redis" ? RedisServer.Start("bench", durable: true) : null);

    /// <summary>Where the next shop keeps its data on Redis, or null on the embedded profile.</summary>
    public (string Address, int Database)? NextRedis() => _redis is null ? null : (_redis.Address, _redis.NextDatabase());

    /// <summary>What the report says of the backends.</summary>
    public string Describe() => _redis is null
        ? "components/common + components/embedded copied to a temporary folder, so SQLite state starts empty"
        : $"components/common + components/redis copied to a temporary folder and pointed at a private redis-server (appendonly yes, appendfsync always) on {_redis.Address}, a new database per shop";

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
