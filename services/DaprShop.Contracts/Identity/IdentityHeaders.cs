namespace DaprShop.Contracts.Identity;

/// <summary>
/// Headers that carry the authenticated caller from the gateway to the internal services.
/// Only the gateway sets them: it strips any incoming copies before it forwards a request,
/// and the internal services accept calls only from their sidecar (APP_API_TOKEN).
/// </summary>
public static class IdentityHeaders
{
    public const string UserId = "x-daprshop-user-id";

    public const string UserEmail = "x-daprshop-user-email";

    /// <summary>Comma-separated role names, e.g. <c>customer</c> or <c>admin</c>.</summary>
    public const string UserRoles = "x-daprshop-user-roles";

    public static IReadOnlyList<string> All { get; } = [UserId, UserEmail, UserRoles];
}
