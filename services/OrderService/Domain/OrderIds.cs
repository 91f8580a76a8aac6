using System.Security.Cryptography;
using System.Text;

namespace OrderService.Domain;

public static class OrderIds
{
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>A fresh, time-ordered id for an order placed without an idempotency key.</summary>
    public static string New() => Guid.CreateVersion7().ToString();

    /// <summary>
    /// The same user and key always give the same id, so a retried request finds the order it already placed;
    /// different users with the same key get different ids. A name-based UUID (version 8) from SHA-256.
    /// </summary>
    public static string FromIdempotencyKey(string userId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);

        // Length-prefixed parts, so that ("ab", "c") and ("a", "bc") differ.
        var name = $"daprshop/order/{userId.Length}:{userId}/{idempotencyKey.Length}:{idempotencyKey}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);

        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>
    /// Whether <paramref name="orderId"/> can name an order: every id is a UUID in its canonical form (36 lower-case
    /// hex digits and hyphens, as <see cref="New"/> and <see cref="FromIdempotencyKey"/> write it). Anything else names
    /// no order, and must not reach the state store or an actor id (daprd refuses keys with <c>||</c>, for instance).
    /// </summary>
    public static bool IsWellFormed(string? orderId) =>
        orderId is { Length: 36 } && Guid.TryParseExact(orderId, "D", out var id) && id.ToString() == orderId;

    public static bool IsValidIdempotencyKey(string key) =>
        !string.IsNullOrWhiteSpace(key) && key.Length <= MaxIdempotencyKeyLength && key.All(c => c is >= ' ' and <= '~');
}
