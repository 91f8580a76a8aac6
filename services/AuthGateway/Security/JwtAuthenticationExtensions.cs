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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtSigningKey, IOptions<AuthOptions>>((jwt, signingKey, auth) =>
            {
                // Keep the token's own claim names (sub, email, role) rather than the WS-* URIs.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = JwtTokenIssuer.ValidationParameters(auth.Value, signingKey);
            });
        builder.Services.AddAuthorization();
        return builder;
    }
}
