using AuthGateway.Domain;
using DaprShop.Contracts;
using DaprShop.Contracts.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AuthGateway.Security;

/// <summary>
/// At start, makes the account <see cref="AuthOptions.AdminEmail"/> an admin whose password is the secret
/// <c>admin-password</c>: created if missing, its role and password set if not already. Without the email or the
/// secret nothing is seeded and no account is admin. Runs after <see cref="SigningKeyLoader"/>, so the sidecar is up.
/// </summary>
public sealed class AdminAccountSeeder(
    IOptions<AuthOptions> options,
    IAdminPasswordSource passwords,
    UserAccounts users,
    UserPasswordHasher hasher,
    TimeProvider clock,
    ILogger<AdminAccountSeeder> logger) : IHostedService
{
    private const int Attempts = 5;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.AdminEmail))
        {
            logger.LogInformation("No admin account: Auth:AdminEmail is not set");
            return;
        }

        if (!EmailAddress.TryNormalize(options.Value.AdminEmail, out var email))
        {
            throw new InvalidOperationException($"Auth:AdminEmail '{options.Value.AdminEmail}' is not a valid email address.");
        }

        var password = await passwords.GetAsync(cancellationToken);
        if (password is null)
        {
            logger.LogWarning(
                "No admin account seeded: Auth:AdminEmail is {Email} but secret {Secret} is not in secret store {SecretStore}",
                email,
                DaprSecretAdminPasswordSource.SecretName,
                DaprComponents.SecretStore);
            return;
        }

        if (PasswordPolicy.Check(password) is { } weakness)
        {
            throw new InvalidOperationException($"Secret '{DaprSecretAdminPasswordSource.SecretName}' is not an acceptable password: {weakness}");
        }

        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await TrySeedAsync(email, password, cancellationToken))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Could not seed admin account {email}: it changed under every one of {Attempts} attempts.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>False when another writer (another gateway instance starting) got there first; then read again.</summary>
    private async Task<bool> TrySeedAsync(string email, string password, CancellationToken cancellationToken)
    {
        if (await users.FindEntryAsync(email, cancellationToken) is not { } entry)
        {
            var admin = new UserAccount
            {
                UserId = Guid.CreateVersion7().ToString(),
                Email = email,
                PasswordHash = hasher.HashPassword(null!, password),
                CreatedAt = clock.GetUtcNow(),
                Role = Roles.Admin,
            };
            if (!await users.TryCreateAsync(admin, cancellationToken))
            {
                return false;
            }

            logger.LogInformation("Seeded admin account {UserId}", admin.UserId);
            return true;
        }

        var existing = entry.Value;
        var passwordCurrent = hasher.VerifyHashedPassword(existing, existing.PasswordHash, password) == PasswordVerificationResult.Success;
        if (existing.Role == Roles.Admin && passwordCurrent)
        {
            logger.LogInformation("Admin account {UserId} is up to date", existing.UserId);
            return true;
        }

        var updated = existing with
        {
            Role = Roles.Admin,
            PasswordHash = passwordCurrent ? existing.PasswordHash : hasher.HashPassword(existing, password),
        };
        if (!await users.TryReplaceAsync(updated, entry.ETag, cancellationToken))
        {
            return false;
        }

        logger.LogInformation("Updated admin account {UserId}: role admin and the password from the secret store", existing.UserId);
        return true;
    }
}
