using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AuthGateway.Domain;
using Microsoft.AspNetCore.Identity;

namespace AuthGateway.Tests.Apis;

public class AuthApiTests
{
    [Fact]
    public async Task Register_new_email_201_with_user_id_and_hashed_password_stored()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/auth/register", new { email = "Alice@Example.com", password = "correct horse battery", name = "Alice" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var userId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetString();
        var stored = factory.State.Peek<UserAccount>(UserAccounts.Key("alice@example.com"));
        Assert.Equal(userId, stored?.UserId);
        Assert.DoesNotContain("correct horse battery", stored?.PasswordHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_existing_email_any_case_409_problem_details()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = "correct horse battery" });

        var response = await client.PostAsJsonAsync("/auth/register", new { email = "ALICE@example.com", password = "another password" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("alice@example.com", "short", "password")]
    [InlineData("not-an-email", "correct horse battery", "email")]
    public async Task Register_bad_input_400_with_field_error(string email, string password, string field)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/auth/register", new { email, password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("{\"email\":\"alice@example.com\"}")]
    [InlineData("{\"email\":\"alice@example.com\",\"password\":12345678}")]
    [InlineData("{\"email\":")]
    public async Task Register_missing_or_malformed_400_problem_details(string body)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task IssueToken_right_password_Bearer_token_for_user()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var userId = (await (await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = "correct horse battery" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetString();

        var response = await client.PostAsJsonAsync("/auth/token", new { email = " ALICE@example.com", password = "correct horse battery" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal(3600, body.GetProperty("expiresIn").GetInt32());
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(body.GetProperty("accessToken").GetString());
        Assert.Equal(userId, jwt.Subject);
        Assert.Equal("daprshop", jwt.Issuer);
        Assert.Contains("daprshop-api", jwt.Audiences);
        Assert.Equal("customer", jwt.Claims.Single(claim => claim.Type == "role").Value);
        Assert.Equal("HS256", jwt.Header.Alg);
    }

    [Fact]
    public async Task IssueToken_legacy_hash_Token_and_password_rehashed_in_current_format()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = "correct horse battery" });
        var key = UserAccounts.Key("alice@example.com");
        var stored = factory.State.Peek<UserAccount>(key)!;
        factory.State.Put(key, stored with { PasswordHash = Domain.UserPasswordHasherTests.LegacyHash("correct horse battery") });

        var response = await client.PostAsJsonAsync("/auth/token", new { email = "alice@example.com", password = "correct horse battery" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rehashed = factory.State.Peek<UserAccount>(key)!.PasswordHash;
        Assert.DoesNotContain("pbkdf2-sha256", rehashed, StringComparison.Ordinal);
        Assert.Equal(PasswordVerificationResult.Success, new UserPasswordHasher().VerifyHashedPassword(stored, rehashed, "correct horse battery"));
    }

    [Theory]
    [InlineData("alice@example.com", "wrong password")]
    [InlineData("nobody@example.com", "correct horse battery")]
    public async Task IssueToken_bad_credentials_401_problem_details(string email, string password)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/auth/register", new { email = "alice@example.com", password = "correct horse battery" });

        var response = await client.PostAsJsonAsync("/auth/token", new { email, password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Healthz_anonymous_200()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
