namespace AuthGateway.Security;

/// <summary>Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "daprshop";

    public string Audience { get; set; } = "daprshop-api";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Users with these emails get role <c>admin</c>; everyone else is a <c>customer</c>.</summary>
    public IList<string> AdminEmails { get; } = [];

    /// <summary>How long start-up waits for the sidecar (and its secret store) before it gives up.</summary>
    public TimeSpan SidecarTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
