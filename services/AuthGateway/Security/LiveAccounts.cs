using System.Collections.Concurrent;
using AuthGateway.Domain;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AuthGateway.Security;

/// <summary>
/// Whether the account a bearer token was issued for still exists: the user stored under the token's email must still
/// have the token's subject as its id (an account deleted, or deleted and registered again, does not). The answer is
/// kept for <see cref="AuthOptions.AccountCheckInterval"/>, so a deleted account's tokens stop working at once on the
/// replica that deleted it and within that interval on the others, at one state read per user per interval.
/// </summary>
public sealed class LiveAccounts(UserAccounts users, IMemoryCache cache, IOptions<AuthOptions> options)
{
    /// <summary>
    /// How often each email's account was changed here (<see cref="Forget"/>): an answer read while it changed is not
    /// kept, so a read that started before a deletion cannot put the deleted account back for a whole interval.
    /// </summary>
    private readonly ConcurrentDictionary<string, long> changes = new(StringComparer.Ordinal);

    public async ValueTask<bool> ExistsAsync(string userId, string normalizedEmail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(normalizedEmail);

        var key = CacheKey(normalizedEmail);
        if (!cache.TryGetValue(key, out string? storedUserId))
        {
            var before = changes.GetValueOrDefault(normalizedEmail);
            var user = await users.FindAsync(normalizedEmail, cancellationToken);
            storedUserId = user?.UserId ?? string.Empty;
            if (changes.GetValueOrDefault(normalizedEmail) == before)
            {
                cache.Set(key, storedUserId, options.Value.AccountCheckInterval);
            }
        }

        return string.Equals(storedUserId, userId, StringComparison.Ordinal);
    }

    /// <summary>Drops what is known of the account under <paramref name="normalizedEmail"/>, after it was deleted or created.</summary>
    public void Forget(string normalizedEmail)
    {
        changes.AddOrUpdate(normalizedEmail, 1, (_, count) => count + 1);
        cache.Remove(CacheKey(normalizedEmail));
    }

    private static (string, string) CacheKey(string normalizedEmail) => (nameof(LiveAccounts), normalizedEmail);
}
