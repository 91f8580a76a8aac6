using DaprShop.Contracts.Identity;

namespace AuthGateway.Domain;

/// <summary>A registered user, stored under the normalised email.</summary>
public sealed record UserAccount
{
    public required string UserId { get; init; }

    /// <summary>Normalised (trimmed, lower case).</summary>
    public required string Email { get; init; }

    public string? Name { get; init; }

    /// <summary>See <see cref="UserPasswordHasher"/>; never the password.</summary>
    public required string PasswordHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>customer</c> for every registered user; <c>admin</c> only for the operator's seeded account.</summary>
    public string Role { get; init; } = Roles.Customer;
}
