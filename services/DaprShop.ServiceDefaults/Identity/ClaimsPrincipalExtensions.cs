using System.Security.Claims;
using DaprShop.Contracts.Identity;

namespace DaprShop.ServiceDefaults.Identity;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id; only call it behind <c>RequireAuthorization()</c>.</summary>
    public static string GetUserId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirst(ShopClaimTypes.UserId)?.Value
            ?? throw new InvalidOperationException("The request has no authenticated user.");
    }

    public static string? GetEmail(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirst(ShopClaimTypes.Email)?.Value;
    }

    public static bool IsAdmin(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.HasClaim(ShopClaimTypes.Role, Roles.Admin);
    }
}
