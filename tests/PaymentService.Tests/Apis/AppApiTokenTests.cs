using System.Net;
using System.Net.Http.Json;

namespace PaymentService.Tests.Apis;

public class AppApiTokenTests
{
    [Fact]
    public async Task Request_without_app_token_401_problem_details()
    {
        await using var factory = new PaymentServiceFactory { AppApiToken = "secret-token" };
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/payments/o-1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Request_with_wrong_app_token_401()
    {
        await using var factory = new PaymentServiceFactory { AppApiToken = "secret-token" };
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("dapr-api-token", "guess");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/payments/o-1")).StatusCode);
    }

    [Fact]
    public async Task Request_with_app_token_Served()
    {
        await using var factory = new PaymentServiceFactory { AppApiToken = "secret-token" };
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("dapr-api-token", "secret-token");

        // Past the token check: the endpoint itself answers (no payment for o-1).
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/payments/o-1")).StatusCode);
    }

    [Fact]
    public async Task Healthz_without_app_token_200()
    {
        await using var factory = new PaymentServiceFactory { AppApiToken = "secret-token" };
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Swagger_json_with_app_token_Lists_payments()
    {
        await using var factory = new PaymentServiceFactory { AppApiToken = "secret-token" };
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("dapr-api-token", "secret-token");

        var swagger = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/swagger/v1/swagger.json");

        Assert.True(swagger.GetProperty("paths").TryGetProperty("/payments", out _));
    }
}
