namespace DaprShop.Sidecar.State.Redis;

/// <summary>
/// The Lua scripts that apply one write to one key, with the rules of components-contrib's
/// <c>state.redis</c> (v1.18, <c>state/redis/redis.go</c>), so that data written here and by daprd
/// is the same: a hash per key with <c>data</c>, <c>version</c> (an integer raised by one on
/// every write, starting at 1; the ETag) and, after a first-write save outside a transaction,
/// <c>first-write</c> = 0.
/// </summary>
internal static class RedisStateScripts
{
    /// <summary>
    /// KEYS[1]: the key. ARGV[1]: the expected version, "0" for none. ARGV[2]: the value.
    /// ARGV[3]: "0" to mark the item first-write (absent in transactions, as daprd sends it).
    /// A key of another type is removed first. The write goes ahead when the key has no version
    /// (absent or empty), when the version is the one expected, or when none is expected and the
    /// item is not marked first-write; otherwise the script fails and changes nothing.
    /// Returns the new version.
    /// </summary>
    public const string Set = """
        local key = KEYS[1]
        local version = redis.pcall('HGET', key, 'version')
        if type(version) == 'table' then
          redis.call('DEL', key)
          version = false
        end
        local guarded = redis.call('HEXISTS', key, 'first-write') == 1
        if version and version ~= '' and version ~= ARGV[1] and (guarded or ARGV[1] ~= '0') then
          return redis.error_reply('failed to set key ' .. key)
        end
        redis.call('HSET', key, 'data', ARGV[2])
        if ARGV[3] == '0' then
          redis.call('HSET', key, 'first-write', 0)
        end
        return redis.call('HINCRBY', key, 'version', 1)
        """;

    /// <summary>
    /// KEYS[1]: the key. ARGV[1]: the expected version, "0" for none. Removes the key when no
    /// version is expected, when it has none (absent, empty, or not a hash), or when it is the one
    /// expected; otherwise fails. Returns the number of keys removed.
    /// </summary>
    public const string Delete = """
        local key = KEYS[1]
        local version = redis.pcall('HGET', key, 'version')
        if ARGV[1] == '0' or not version or type(version) == 'table' or version == '' or version == ARGV[1] then
          return redis.call('DEL', key)
        end
        return redis.error_reply('failed to delete ' .. key)
        """;
}
