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
}
