namespace AuthGateway.Security;

/// <summary>Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "daprshop";

    public string Audience { get; set; } = "daprshop-api";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The operator's admin account, seeded (or updated) at start with role <c>admin</c> and the password in secret
    /// <c>admin-password</c> of the secret store (<see cref="AdminAccountSeeder"/>); nothing is seeded without both.
    /// Registration never grants admin.
    /// </summary>
    public string? AdminEmail { get; set; }

    /// <summary>
    /// How long the gateway trusts that a token's account still exists before it reads the account again: the longest a
    /// deleted account's token keeps working on a gateway replica other than the one that deleted it.
    /// </summary>
    public TimeSpan AccountCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long start-up waits for the sidecar (and its secret store) before it gives up.</summary>
    public TimeSpan SidecarTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
