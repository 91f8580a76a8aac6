using System.Security.Claims;
using System.Text.Encodings.Web;
using DaprShop.Contracts.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaprShop.ServiceDefaults.Identity;

/// <summary>
/// Authenticates the caller the gateway vouches for in the identity headers. Trusting them is safe because
/// the gateway strips them from incoming requests and this app accepts calls only from its sidecar (APP_API_TOKEN).
/// </summary>
public sealed class GatewayIdentityHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GatewayIdentity";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var userId = Request.Headers[IdentityHeaders.UserId].ToString().Trim();
        if (userId.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ShopClaimTypes.UserId, userId) };

        var email = Request.Headers[IdentityHeaders.UserEmail].ToString().Trim();
        if (email.Length > 0)
        {
            claims.Add(new Claim(ShopClaimTypes.Email, email));
        }

        foreach (var role in Request.Headers[IdentityHeaders.UserRoles].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            claims.Add(new Claim(ShopClaimTypes.Role, role));
        }

        var identity = new ClaimsIdentity(claims, SchemeName, ShopClaimTypes.UserId, ShopClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
