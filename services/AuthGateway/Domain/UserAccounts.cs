using DaprShop.ServiceDefaults.State;

namespace AuthGateway.Domain;

/// <summary>Users in the Dapr state store under <c>user-{normalised email}</c>, created insert-only.</summary>
public sealed class UserAccounts(IStateStore state)
{
    public static string Key(string normalizedEmail) => $"user-{normalizedEmail}";

    /// <summary>Stores a new user; false when the email is taken (also by a concurrent registration).</summary>
    public Task<bool> TryCreateAsync(UserAccount user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return state.TryInsertAsync(Key(user.Email), user, cancellationToken);
    }

    public async Task<UserAccount?> FindAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        (await state.GetAsync<UserAccount>(Key(normalizedEmail), cancellationToken))?.Value;
}
