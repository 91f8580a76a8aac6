using AuthGateway.Domain;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthGateway.Security;

public sealed record IssuedToken(string AccessToken, TimeSpan ExpiresIn);

/// <summary>Issues HS256 access tokens for users and says how to validate them.</summary>
public sealed class JwtTokenIssuer(JwtSigningKey signingKey, IOptions<AuthOptions> options, TimeProvider clock)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedToken Issue(UserAccount user, string role)
    {
        ArgumentNullException.ThrowIfNull(user);

        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = user.UserId,
            [JwtRegisteredClaimNames.Email] = user.Email,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            [ShopClaimTypes.Role] = role,
        };
        if (!string.IsNullOrEmpty(user.Name))
        {
            claims[ShopClaimTypes.Name] = user.Name;
        }

        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.TokenLifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });

        return new IssuedToken(token, settings.TokenLifetime);
    }

    /// <summary>The rules every bearer token must pass: our issuer and audience, HS256 with our key, not expired.</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions settings, JwtSigningKey signingKey)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(signingKey);

        return new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKeyResolver = (_, _, _, _) => [signingKey.Key],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = settings.ClockSkew,
            NameClaimType = ShopClaimTypes.UserId,
            RoleClaimType = ShopClaimTypes.Role,
        };
    }
}
