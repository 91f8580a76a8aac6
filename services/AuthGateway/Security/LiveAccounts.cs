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
    public async ValueTask<bool> ExistsAsync(string userId, string normalizedEmail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(normalizedEmail);

        var key = CacheKey(normalizedEmail);
        if (!cache.TryGetValue(key, out string? storedUserId))
        {
            var user = await users.FindAsync(normalizedEmail, cancellationToken);
            storedUserId = user?.UserId ?? string.Empty;
            cache.Set(key, storedUserId, options.Value.AccountCheckInterval);
        }

        return string.Equals(storedUserId, userId, StringComparison.Ordinal);
    }

    /// <summary>Drops what is known of the account under <paramref name="normalizedEmail"/>, after it was deleted or created.</summary>
    public void Forget(string normalizedEmail) => cache.Remove(CacheKey(normalizedEmail));

    private static (string, string) CacheKey(string normalizedEmail) => (nameof(LiveAccounts), normalizedEmail);
}
