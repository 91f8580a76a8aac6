using System.Text.Json.Nodes;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>Assertions on HTTP answers that show the body when the status is not the expected one.</summary>
public static class Expect
{
    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body) ?? throw new InvalidOperationException("empty JSON body");
    }

    /// <summary>An RFC 9457 problem-details answer with the given status.</summary>
    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, int status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body) ?? throw new InvalidOperationException("empty problem body");
        Assert.Equal(status, problem["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()), $"problem without a title: {body}");
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        return problem;
    }
}
