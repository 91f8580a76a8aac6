using System.Buffers.Binary;
using System.Text;
using Konscious.Security.Cryptography;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// Where the ids of one actor type go among the hosts of the type: consistent hashing as daprd's placement does it
/// (dapr/dapr <c>pkg/placement/hashing/consistent_hash.go</c>). Each host, named by its address
/// (<c>host:port</c>), puts <see cref="ReplicationFactor"/> virtual nodes on a ring of 64-bit values, at
/// <c>hash(name + i)</c> for i from 0; an actor id belongs to the first virtual node at or after <c>hash(id)</c>,
/// wrapping around (<see cref="PlacementHash"/>). When a host leaves, only the
/// ids it owned move; when one joins, it takes ids from every other host.
/// </summary>
/// <typeparam name="THost">What a host is to the caller (a sidecar's actor runtime; a name in tests).</typeparam>
public sealed class ActorHashRing<THost>
    where THost : class
{
    /// <summary>Virtual nodes per host: daprd placement's <c>--replicationFactor</c> default.</summary>
    public const int ReplicationFactor = 100;

    private readonly ulong[] _points;
    private readonly THost[] _owners;

    /// <summary>Builds the ring of <paramref name="hosts"/>, each with its address; an empty list makes a ring that owns nothing.</summary>
    public ActorHashRing(IEnumerable<(string Address, THost Host)> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var points = new SortedDictionary<ulong, THost>();
        var members = new HashSet<THost>(ReferenceEqualityComparer.Instance);
        var count = 0;
        foreach (var (address, host) in hosts)
        {
            count++;
            members.Add(host);
            for (var i = 0; i < ReplicationFactor; i++)
            {
                // daprd keeps the last host written for a hash two hosts share; so does this.
                points[PlacementHash.Of(address + i.ToString(System.Globalization.CultureInfo.InvariantCulture))] = host;
            }
        }

        HostCount = count;
        Hosts = members;
        _points = [.. points.Keys];
        _owners = [.. points.Values];
    }

    /// <summary>How many hosts the ring holds.</summary>
    public int HostCount { get; }

    /// <summary>The hosts the ring holds.</summary>
    public IReadOnlySet<THost> Hosts { get; }

    /// <summary>The host that owns <paramref name="actorId"/>, or null when the ring has no host.</summary>
    public THost? Owner(string actorId)
    {
        ArgumentNullException.ThrowIfNull(actorId);
        if (_points.Length == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(_points, PlacementHash.Of(actorId));
        if (index < 0)
        {
            index = ~index;
        }

        return _owners[index == _points.Length ? 0 : index];
    }

}

/// <summary>daprd's placement hash: BLAKE2b-512 of the key's UTF-8 bytes, its first 8 bytes as a little-endian number.</summary>
public static class PlacementHash
{
    public static ulong Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var blake = new HMACBlake2B(512);
        var digest = blake.ComputeHash(Encoding.UTF8.GetBytes(key));
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
