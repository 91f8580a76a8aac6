using System.Net;
using System.Net.Http.Json;
using AuthGateway.Domain;
using AuthGateway.Security;
using Microsoft.Extensions.Options;
using DaprShop.Testing;

namespace AuthGateway.Tests.Apis;

/// <summary>Deleting accounts, and the tokens of a deleted account stopping at the gateway.</summary>
public class AccountsApiTests
{
    private const string AdminEmail = "boss@example.com";
    private const string AdminPassword = "operator chosen password";

    private static HttpRequestMessage Delete(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Delete_own_account_204_then_its_token_401_and_the_account_gone()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var token = await client.RegisterAndGetTokenAsync("ann@example.com");

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Delete("/auth/me", token))).StatusCode);

        var again = await client.SendAsync(Delete("/auth/me", token));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.False(factory.State.Contains(UserAccounts.Key("ann@example.com")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/auth/token", new { email = "ann@example.com", password = "correct horse battery" })).StatusCode);
    }

    [Fact]
    public async Task Account_deleted_and_registered_again_Old_token_401_new_one_works()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var old = await client.RegisterAndGetTokenAsync("ann@example.com");
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Delete("/auth/me", old))).StatusCode);

        var fresh = await client.RegisterAndGetTokenAsync("ann@example.com");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delete("/auth/me", old))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Delete("/auth/me", fresh))).StatusCode);
    }

    [Fact]
    public async Task Admin_deletes_a_user_204_and_the_user_s_token_401()
    {
        await using var factory = new GatewayFactory { AdminEmail = AdminEmail, AdminPassword = AdminPassword };
        using var client = factory.CreateClient();
        var userToken = await client.RegisterAndGetTokenAsync("ann@example.com");
        var adminToken = await TokenAsync(client, AdminEmail, AdminPassword);

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Delete("/auth/users/Ann@Example.com", adminToken))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Delete("/auth/me", userToken))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(Delete("/auth/users/ann@example.com", adminToken))).StatusCode);
    }

    [Fact]
    public async Task Customer_deletes_another_account_403_and_nothing_deleted()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.RegisterAndGetTokenAsync("ann@example.com");
        var bob = await client.RegisterAndGetTokenAsync("bob@example.com");

        var response = await client.SendAsync(Delete("/auth/users/ann@example.com", bob));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(factory.State.Contains(UserAccounts.Key("ann@example.com")));
    }

    [Fact]
    public async Task Delete_without_a_token_401()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync("/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Account_deleted_elsewhere_Token_stops_working_within_the_check_interval()
    {
        // Another gateway replica deleted it: this one learns of it when its answer for the account expires.
        await using var factory = new GatewayFactory { Settings = new Dictionary<string, string> { ["Auth:AccountCheckInterval"] = "00:00:00.200" } };
        using var client = factory.CreateClient();
        var token = await KnownThenDeletedElsewhereAsync(factory, client);

        await Eventually.WaitAsync(
            async () => (await client.SendAsync(Delete("/auth/users/bob@example.com", token))).StatusCode,
            status => status == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10),
            "the deleted account's token to be refused");
        Assert.True(factory.State.Contains(UserAccounts.Key("bob@example.com")));
    }

    [Fact]
    public async Task Account_deleted_elsewhere_Known_here_for_the_check_interval()
    {
        await using var factory = new GatewayFactory { Settings = new Dictionary<string, string> { ["Auth:AccountCheckInterval"] = "01:00:00" } };
        using var client = factory.CreateClient();
        var token = await KnownThenDeletedElsewhereAsync(factory, client);

        // Another replica deleted it: this one still answers from what it knew, as the README says, for up to an hour here.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Delete("/auth/users/bob@example.com", token))).StatusCode);
    }

    [Fact]
    public async Task Check_interval_of_zero_Refuses_to_start()
    {
        var error = await GatewayStartup.ValidateAsync(new Dictionary<string, string?> { ["Auth:AccountCheckInterval"] = "00:00:00" });

        Assert.Contains("Auth:AccountCheckInterval must be longer than zero", Assert.IsType<OptionsValidationException>(error).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Registers Ann and Bob, lets this gateway learn that Ann's account exists (a customer may not delete Bob: 403, not
    /// 401), then deletes Ann's account in the store as another gateway replica would; returns Ann's token.
    /// </summary>
    private static async Task<string> KnownThenDeletedElsewhereAsync(GatewayFactory factory, HttpClient client)
    {
        var token = await client.RegisterAndGetTokenAsync("ann@example.com");
        await client.RegisterAndGetTokenAsync("bob@example.com");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Delete("/auth/users/bob@example.com", token))).StatusCode);
        var ann = await factory.State.GetAsync<UserAccount>(UserAccounts.Key("ann@example.com"), CancellationToken.None);
        Assert.True(await factory.State.TryDeleteAsync(UserAccounts.Key("ann@example.com"), ann!.ETag, CancellationToken.None));
        return token;
    }

    private static async Task<string> TokenAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
