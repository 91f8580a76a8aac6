using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthGateway.Domain;

namespace AuthGateway.Tests.Apis;

/// <summary>Admin is granted by the operator (Auth:AdminEmail and secret admin-password), never by registering.</summary>
public class AdminAccountTests
{
    private const string AdminEmail = "boss@example.com";
    private const string AdminPassword = "operator chosen password";

    private static async Task<HttpResponseMessage> TokenAsync(HttpClient client, string email, string password) =>
        await client.PostAsJsonAsync("/auth/token", new { email, password });

    private static async Task<string> RoleInAsync(HttpResponseMessage tokenResponse)
    {
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        return new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.Single(claim => claim.Type == "role").Value;
    }

    [Fact]
    public async Task Seeded_admin_logs_in_with_the_secret_password_Admin_role()
    {
        await using var factory = new GatewayFactory { AdminEmail = " Boss@Example.com ", AdminPassword = AdminPassword };
        using var client = factory.CreateClient();

        Assert.Equal("admin", await RoleInAsync(await TokenAsync(client, AdminEmail, AdminPassword)));
    }

    [Fact]
    public async Task Register_admin_email_after_seeding_409_as_any_taken_email_and_no_admin_for_the_caller()
    {
        await using var factory = new GatewayFactory { AdminEmail = AdminEmail, AdminPassword = AdminPassword };
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/auth/register", new { email = AdminEmail, password = "attacker password" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("Email already registered", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, AdminEmail, "attacker password")).StatusCode);
    }

    [Fact]
    public async Task Register_admin_email_without_the_secret_Customer_and_nothing_seeded()
    {
        await using var factory = new GatewayFactory { AdminEmail = AdminEmail };
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/auth/register", new { email = AdminEmail, password = "attacker password" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("customer", await RoleInAsync(await TokenAsync(client, AdminEmail, "attacker password")));
    }

    [Fact]
    public async Task No_admin_email_Nothing_seeded()
    {
        await using var factory = new GatewayFactory { AdminPassword = AdminPassword };
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Empty(factory.State.Keys);
    }

    [Fact]
    public async Task Existing_customer_with_the_admin_email_Made_admin_with_the_secret_password_at_start()
    {
        var squatter = new UserAccount
        {
            UserId = "u-squatter",
            Email = AdminEmail,
            PasswordHash = new UserPasswordHasher().HashPassword(null!, "squatter password"),
            CreatedAt = DateTimeOffset.UnixEpoch,
        };
        await using var factory = new GatewayFactory { AdminEmail = AdminEmail, AdminPassword = AdminPassword };
        factory.State.Put(UserAccounts.Key(AdminEmail), squatter);
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(client, AdminEmail, "squatter password")).StatusCode);
        Assert.Equal("admin", await RoleInAsync(await TokenAsync(client, AdminEmail, AdminPassword)));
        Assert.Equal("u-squatter", factory.State.Peek<UserAccount>(UserAccounts.Key(AdminEmail))?.UserId);
    }

    [Fact]
    public async Task Seeded_admin_seeded_again_on_the_next_start_Unchanged()
    {
        await using var first = new GatewayFactory { AdminEmail = AdminEmail, AdminPassword = AdminPassword };
        using (first.CreateClient())
        {
        }

        var seeded = first.State.Peek<UserAccount>(UserAccounts.Key(AdminEmail));
        await using var second = new GatewayFactory { AdminEmail = AdminEmail, AdminPassword = AdminPassword };
        second.State.Put(UserAccounts.Key(AdminEmail), seeded);
        using (second.CreateClient())
        {
        }

        Assert.Equal(seeded, second.State.Peek<UserAccount>(UserAccounts.Key(AdminEmail)));
        Assert.Equal(1, first.State.Writes);
        Assert.Equal(0, second.State.Writes);
    }
}
