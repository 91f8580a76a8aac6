using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AuthGateway.RateLimiting;

/// <summary>
/// Back-off per account after wrong passwords: the first wrong one opens a window of
/// <see cref="RateLimitOptions.WrongPasswords"/>; once the limit is reached in it, the account is locked until the
/// window passes, even for the right password. A right password before that clears the count. Kept in memory, per
/// gateway instance: each instance counts on its own, and a restart forgets.
/// </summary>
public sealed class WrongPasswordLockout(IOptionsMonitor<RateLimitOptions> options, TimeProvider clock)
{
    /// <summary>Past this many accounts tracked, windows that have passed are dropped.</summary>
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Failures> failures = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="account"/> stays locked, or null when it is not.</summary>
    public TimeSpan? LockedFor(string account)
    {
        ArgumentNullException.ThrowIfNull(account);

        var limit = options.CurrentValue.WrongPasswords;
        var now = clock.GetUtcNow();
        if (!failures.TryGetValue(account, out var current) || current.Ends(limit) <= now)
        {
            return null;
        }

        return current.Count >= limit.PermitLimit ? current.Ends(limit) - now : null;
    }

    public void RecordWrongPassword(string account)
    {
        ArgumentNullException.ThrowIfNull(account);

        var limit = options.CurrentValue.WrongPasswords;
        var now = clock.GetUtcNow();
        failures.AddOrUpdate(
            account,
            _ => new Failures(now, 1),
            (_, current) => current.Ends(limit) <= now ? new Failures(now, 1) : current with { Count = current.Count + 1 });

        if (failures.Count > PruneAbove)
        {
            foreach (var (key, value) in failures)
            {
                if (value.Ends(limit) <= now)
                {
                    failures.TryRemove(KeyValuePair.Create(key, value));
                }
            }
        }
    }

    public void RecordRightPassword(string account)
    {
        ArgumentNullException.ThrowIfNull(account);
        failures.TryRemove(account, out _);
    }

    private sealed record Failures(DateTimeOffset WindowStart, int Count)
    {
        public DateTimeOffset Ends(WindowLimit limit) => WindowStart + limit.Window;
    }
}
