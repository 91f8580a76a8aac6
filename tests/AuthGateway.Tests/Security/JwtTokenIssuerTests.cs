using AuthGateway.Domain;
using AuthGateway.Security;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthGateway.Tests.Security;

public class JwtTokenIssuerTests
{
    private static readonly UserAccount Alice = new()
    {
        UserId = "u-1",
        Email = "alice@example.com",
        Name = "Alice",
        PasswordHash = "irrelevant",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private readonly AuthOptions options = new();
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);

    private static JwtSigningKey Key(string secret = "a-signing-secret-of-at-least-32-bytes!")
    {
        var key = new JwtSigningKey();
        key.Load(secret);
        return key;
    }

    private async Task<TokenValidationResult> ValidateAsync(string token, JwtSigningKey key, AuthOptions? settings = null) =>
        await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, JwtTokenIssuer.ValidationParameters(settings ?? options, key));

    [Fact]
    public async Task Issue_then_validate_Valid_with_user_claims()
    {
        var key = Key();
        var issued = new JwtTokenIssuer(key, Options.Create(options), clock).Issue(Alice, "admin");

        var result = await ValidateAsync(issued.AccessToken, key);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("u-1", result.ClaimsIdentity.Name);
        Assert.True(result.ClaimsIdentity.HasClaim("email", "alice@example.com"));
        Assert.True(result.ClaimsIdentity.HasClaim("role", "admin"));
        Assert.Equal(TimeSpan.FromHours(1), issued.ExpiresIn);
    }

    [Fact]
    public async Task Validate_token_signed_with_other_key_Invalid()
    {
        var issued = new JwtTokenIssuer(Key("another-signing-secret-of-32-bytes-or-more"), Options.Create(options), clock).Issue(Alice, "customer");

        Assert.False((await ValidateAsync(issued.AccessToken, Key())).IsValid);
    }

    [Fact]
    public async Task Validate_expired_token_Invalid()
    {
        var key = Key();
        clock.Now = DateTimeOffset.UtcNow - TimeSpan.FromHours(2);
        var issued = new JwtTokenIssuer(key, Options.Create(options), clock).Issue(Alice, "customer");

        Assert.False((await ValidateAsync(issued.AccessToken, key)).IsValid);
    }

    [Fact]
    public async Task Validate_other_audience_Invalid()
    {
        var key = Key();
        var issued = new JwtTokenIssuer(key, Options.Create(new AuthOptions { Audience = "someone-else" }), clock).Issue(Alice, "customer");

        Assert.False((await ValidateAsync(issued.AccessToken, key)).IsValid);
    }

    [Fact]
    public async Task Validate_other_issuer_Invalid()
    {
        var key = Key();
        var issued = new JwtTokenIssuer(key, Options.Create(new AuthOptions { Issuer = "someone-else" }), clock).Issue(Alice, "customer");

        Assert.False((await ValidateAsync(issued.AccessToken, key)).IsValid);
    }

    [Fact]
    public async Task Validate_unsigned_token_Invalid()
    {
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "u-1" },
        });

        Assert.False((await ValidateAsync(unsigned, Key())).IsValid);
    }

    [Fact]
    public void Load_short_secret_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new JwtSigningKey().Load("too-short"));
    }

    [Fact]
    public void Key_before_load_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new JwtSigningKey().Key);
    }

    [Fact]
    public void SecretValue_named_value_That_value()
    {
        Assert.Equal("v", DaprSecretSigningKeySource.SecretValue(new Dictionary<string, string> { ["other"] = "x", ["jwt-signing-key"] = "v" }));
    }

    [Fact]
    public void SecretValue_single_value_of_other_name_That_value()
    {
        Assert.Equal("v", DaprSecretSigningKeySource.SecretValue(new Dictionary<string, string> { ["value"] = "v" }));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
