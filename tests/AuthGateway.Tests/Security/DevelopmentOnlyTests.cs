using System.Net;
using AuthGateway.Security;
using Microsoft.Extensions.Logging;
using DaprShop.Testing;

namespace AuthGateway.Tests.Security;

/// <summary>What is for developer machines stays there: the committed signing key and Swagger.</summary>
public class DevelopmentOnlyTests
{
    private const string DevelopmentKey = "dev-only-not-a-secret-f6ld3OG3eeHP5nBFZcfVv--6yU_wNXjHEQTm5q3-7O1qEbeY1Zr60GHlQUBqMi0A";

    [Fact]
    public void Start_in_Production_with_the_development_key_Refused_with_one_line_saying_what_to_set()
    {
        // Not disposed: the gateway's Program caught the refusal, returned 1 and disposed the host itself.
        var factory = new GatewayFactory { SigningKey = DevelopmentKey };

        Assert.NotNull(Record.Exception(() => factory.CreateClient()));

        var refusal = Assert.Single(factory.Logs, line => line.StartsWith($"{LogLevel.Critical} ", StringComparison.Ordinal));
        Assert.Contains("Production", refusal, StringComparison.Ordinal);
        Assert.Contains("jwt-signing-key", refusal, StringComparison.Ordinal);
        Assert.Contains("development key", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(DevelopmentKey, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_in_Development_with_the_development_key_Serves()
    {
        await using var factory = new GatewayFactory { Environment = "Development", SigningKey = DevelopmentKey };
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public void The_committed_development_key_Is_a_development_key()
    {
        var committed = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFolder.Path, "components", "common", "dev-secrets.json")));

        Assert.True(JwtSigningKey.IsDevelopmentKey(committed.RootElement.GetProperty("jwt-signing-key").GetString()!));
        Assert.False(JwtSigningKey.IsDevelopmentKey(GatewayFactory.SigningSecret));
    }

    [Theory]
    [InlineData("Production", HttpStatusCode.NotFound)]
    [InlineData("Staging", HttpStatusCode.NotFound)]
    [InlineData("Development", HttpStatusCode.OK)]
    public async Task Swagger_served_only_in_Development(string environment, HttpStatusCode expected)
    {
        await using var factory = new GatewayFactory { Environment = environment };
        using var client = factory.CreateClient();

        Assert.Equal(expected, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        Assert.Equal(expected, (await client.GetAsync("/swagger/index.html")).StatusCode);
    }

}
