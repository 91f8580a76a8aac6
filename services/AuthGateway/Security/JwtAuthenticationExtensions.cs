using DaprShop.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace AuthGateway.Security;

public static class JwtAuthenticationExtensions
{
    /// <summary>Issuing tokens, and validating bearer tokens with the key from the secret store.</summary>
    public static WebApplicationBuilder AddJwtAuthentication(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddSingleton<JwtSigningKey>();
        builder.Services.AddSingleton<ISigningKeySource, DaprSecretSigningKeySource>();
        builder.Services.AddHostedService<SigningKeyLoader>();
        builder.Services.AddSingleton<JwtTokenIssuer>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<LiveAccounts>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtSigningKey, IOptions<AuthOptions>>((jwt, signingKey, auth) =>
            {
                // Keep the token's own claim names (sub, email, role) rather than the WS-* URIs.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = JwtTokenIssuer.ValidationParameters(auth.Value, signingKey);
                jwt.Events = new JwtBearerEvents { OnTokenValidated = RefuseDeletedAccountsAsync };
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>A valid signature is not enough: the token's account must still exist (<see cref="LiveAccounts"/>).</summary>
    private static async Task RefuseDeletedAccountsAsync(TokenValidatedContext context)
    {
        var principal = context.Principal;
        var userId = principal?.FindFirst(ShopClaimTypes.UserId)?.Value;
        var email = principal?.FindFirst(ShopClaimTypes.Email)?.Value;
        var accounts = context.HttpContext.RequestServices.GetRequiredService<LiveAccounts>();
        if (userId is null || email is null || !await accounts.ExistsAsync(userId, email, context.HttpContext.RequestAborted))
        {
            context.Fail("The account this token was issued for no longer exists.");
        }
    }
}
