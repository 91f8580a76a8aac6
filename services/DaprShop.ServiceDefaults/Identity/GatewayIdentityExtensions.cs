using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.ServiceDefaults.Identity;

public static class GatewayIdentityExtensions
{
    /// <summary>
    /// For the internal services: the caller is whoever the gateway's identity headers name;
    /// <c>RequireAuthorization()</c> on a group answers 401 problem details when they are missing.
    /// </summary>
    public static WebApplicationBuilder AddGatewayIdentity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddAuthentication(GatewayIdentityHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, GatewayIdentityHandler>(GatewayIdentityHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
