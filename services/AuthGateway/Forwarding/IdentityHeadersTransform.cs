using System.Security.Claims;
using DaprShop.Contracts;
using DaprShop.Contracts.Identity;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.Net.Http.Headers;

namespace AuthGateway.Forwarding;

/// <summary>
/// What a forwarded request carries: never the caller's own identity, Dapr or authorization headers; instead the
/// identity from the validated token, and the gateway's <c>dapr-api-token</c> for its sidecar when one is set.
/// </summary>
public static class IdentityHeadersTransform
{
    public static void Apply(HttpRequestMessage proxyRequest, ClaimsPrincipal user, string? daprApiToken)
    {
        ArgumentNullException.ThrowIfNull(proxyRequest);
        ArgumentNullException.ThrowIfNull(user);

        var headers = proxyRequest.Headers;
        foreach (var name in headers.Select(header => header.Key).Where(IsReserved).ToList())
        {
            headers.Remove(name);
        }

        headers.Remove(HeaderNames.Authorization);

        headers.TryAddWithoutValidation(IdentityHeaders.UserId, user.GetUserId());
        if (user.GetEmail() is { } email)
        {
            headers.TryAddWithoutValidation(IdentityHeaders.UserEmail, email);
        }

        var roles = user.FindAll(ShopClaimTypes.Role).Select(claim => claim.Value).ToList();
        if (roles.Count > 0)
        {
            headers.TryAddWithoutValidation(IdentityHeaders.UserRoles, string.Join(',', roles));
        }

        if (!string.IsNullOrEmpty(daprApiToken))
        {
            headers.TryAddWithoutValidation(DaprHeaders.ApiToken, daprApiToken);
        }
    }

    /// <summary>Identity headers (and anything in their namespace) and Dapr's own headers.</summary>
    public static bool IsReserved(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return headerName.StartsWith("x-daprshop-", StringComparison.OrdinalIgnoreCase)
            || headerName.StartsWith(DaprHeaders.Prefix, StringComparison.OrdinalIgnoreCase)
            || IdentityHeaders.All.Contains(headerName, StringComparer.OrdinalIgnoreCase);
    }
}
