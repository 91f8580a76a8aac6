using DaprShop.ServiceDefaults.State;

namespace AuthGateway.Domain;

/// <summary>Users in the Dapr state store under <c>user-{normalised email}</c>, created insert-only and changed with their ETag.</summary>
public sealed class UserAccounts(IAppStateStore state)
{
    public static string Key(string normalizedEmail) => $"user-{normalizedEmail}";

    /// <summary>Stores a new user; false when the email is taken (also by a concurrent registration).</summary>
    public Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return state.TryInsertAsync(Key(user.Email), user, cancellationToken);
    }

    public async Task<UserAccount?> FindAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        (await FindEntryAsync(normalizedEmail, cancellationToken))?.Value;

    /// <summary>The user with the ETag to change it with, or null.</summary>
    public Task<AppStateEntry<UserAccount>?> FindEntryAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        state.GetAsync<UserAccount>(Key(normalizedEmail), cancellationToken);

    /// <summary>Deletes the user read with <paramref name="etag"/>; false when it changed since.</summary>
    public Task<bool> TryDeleteAsync(string normalizedEmail, string etag, CancellationToken cancellationToken) =>
        state.TryDeleteAsync(Key(normalizedEmail), etag, cancellationToken);

    /// <summary>Replaces the user read with <paramref name="etag"/>; false when it changed since.</summary>
    public Task<bool> TryReplaceAsync(UserAccount user, string etag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return state.TryReplaceAsync(Key(user.Email), user, etag, cancellationToken);
    }
}
