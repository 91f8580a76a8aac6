using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuthGateway.Tests;

public static class GatewayClient
{
    /// <summary>Registers a user and returns a bearer token for them.</summary>
    public static async Task<string> RegisterAndGetTokenAsync(this HttpClient client, string email, string password = "correct horse battery")
    {
        ArgumentNullException.ThrowIfNull(client);

        (await client.PostAsJsonAsync("/auth/register", new { email, password })).EnsureSuccessStatusCode();
        var token = await (await client.PostAsJsonAsync("/auth/token", new { email, password })).Content.ReadFromJsonAsync<JsonElement>();
        return token.GetProperty("accessToken").GetString()!;
    }

    public static void UseBearer(this HttpClient client, string token)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }
}
