using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AuthGateway.Tests.Apis;

/// <summary>Bad input to <c>/auth/*</c> is a 4xx problem-details answer, never a 5xx, and registers nobody.</summary>
public class AuthValidationTests
{
    [Theory]
    [InlineData("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":\"Al\\u0001ice\"}", "name")]
    [InlineData("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":\"Alice\\n\"}", "name")]
    [InlineData("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":\"\\u0000\"}", "name")]
    [InlineData("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":\"Alice\\u0085\"}", "name")]
    [InlineData("{\"email\":\"ali\\u0001ce@example.com\",\"password\":\"correct horse battery\"}", "email")]
    [InlineData("{\"email\":\"alice@example.com\\r\\n\",\"password\":\"correct horse battery\"}", "email")]
    [InlineData("{\"email\":\"alice||bob@example.com\",\"password\":\"correct horse battery\"}", "email")]
    [InlineData("{\"email\":\"alicé@example.com\",\"password\":\"correct horse battery\"}", "email")]
    public async Task Register_control_or_forbidden_characters_400_with_field_error_and_nothing_stored(string body, string field)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/auth/register", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        Assert.Empty(factory.State.Keys);
    }

    [Fact]
    public async Task Register_name_in_any_script_201()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/auth/register", new { email = "zoe@example.com", password = "correct horse battery", name = "Zoë Ångström 山田" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("/auth/register", "null")]
    [InlineData("/auth/register", "[]")]
    [InlineData("/auth/register", "\"alice\"")]
    [InlineData("/auth/register", "")]
    [InlineData("/auth/register", "{\"email\":[],\"password\":\"correct horse battery\"}")]
    [InlineData("/auth/register", "{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":{}}")]
    [InlineData("/auth/register", "{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\",\"name\":\"\\ud800\"}")]
    [InlineData("/auth/token", "null")]
    [InlineData("/auth/token", "{\"email\":\"alice@example.com\"}")]
    [InlineData("/auth/token", "{\"email\":\"alice@example.com\",\"password\":null}")]
    [InlineData("/auth/token", "{\"email\":5,\"password\":\"correct horse battery\"}")]
    [InlineData("/auth/token", "{\"email\":\"ali\\u0000ce@example.com\",\"password\":\"correct horse battery\"}")]
    [InlineData("/auth/token", "{\"email\":")]
    public async Task Auth_bad_body_4xx_problem_details_without_stack_trace_and_nothing_stored(string path, string body)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Empty(factory.State.Keys);
    }

    [Theory]
    [InlineData("/auth/register")]
    [InlineData("/auth/token")]
    public async Task Auth_unknown_charset_415_problem_details_and_nothing_stored(string path)
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=bogus");

        var response = await client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(factory.State.Keys);
    }

    [Fact]
    public async Task Register_wrong_content_type_415_problem_details()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/auth/register", new StringContent("{\"email\":\"alice@example.com\",\"password\":\"correct horse battery\"}", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(factory.State.Keys);
    }
}
