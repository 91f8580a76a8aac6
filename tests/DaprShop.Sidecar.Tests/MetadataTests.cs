using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Tests.Infrastructure;

namespace DaprShop.Sidecar.Tests;

/// <summary>The metadata API through the SDK (gRPC) and over HTTP.</summary>
public sealed class MetadataTests
{
    private static Task<SidecarHarness> StartAsync() =>
        SidecarHarness.StartAsync("meta-app", new Dictionary<string, string>
        {
            ["statestore.yaml"] = ComponentYaml.StateStore("sqlite"),
            ["cache.yaml"] = ComponentYaml.StateStore("in-memory", "cache"),
            ["files.yaml"] = ComponentYaml.Component("files", "bindings.localstorage", ("rootPath", "files")),
            ["env.yaml"] = ComponentYaml.Component("env", "secretstores.local.env"),
        });

    [Fact]
    public async Task GetMetadataAsync_lists_app_id_and_components_with_capabilities()
    {
        await using var harness = await StartAsync();

        var metadata = await harness.Client.GetMetadataAsync();

        Assert.Equal("meta-app", metadata.Id);
        var components = metadata.Components.ToDictionary(c => c.Name);
        Assert.Equal(["cache", "env", "files", "statestore"], components.Keys.Order());
        Assert.Equal("state.sqlite", components["statestore"].Type);
        Assert.Equal("v1", components["statestore"].Version);
        Assert.Equal(["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"], components["statestore"].Capabilities);
        Assert.Equal(["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"], components["cache"].Capabilities);
        Assert.Equal(["OUTPUT_BINDING"], components["files"].Capabilities);
        Assert.Equal("1.18.0-daprshop", metadata.Extended["daprRuntimeVersion"]);
    }

    [Fact]
    public async Task SetMetadataAsync_sets_an_extended_attribute_seen_over_http()
    {
        await using var harness = await StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        await harness.Client.SetMetadataAsync("team", "checkout");
        using var body = new StringContent("blue", Encoding.UTF8);
        var put = await http.PutAsync(new Uri("/v1.0/metadata/color", UriKind.Relative), body);
        var metadata = await harness.Client.GetMetadataAsync();

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("checkout", metadata.Extended["team"]);
        Assert.Equal("blue", metadata.Extended["color"]);
    }

    [Fact]
    public async Task GetMetadata_http_answers_daprd_json_shape()
    {
        await using var harness = await StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var json = await http.GetFromJsonAsync<JsonElement>(new Uri("/v1.0/metadata", UriKind.Relative));

        Assert.Equal("meta-app", json.GetProperty("id").GetString());
        Assert.Equal("1.18.0-daprshop", json.GetProperty("runtimeVersion").GetString());
        var store = json.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "statestore");
        Assert.Equal("state.sqlite", store.GetProperty("type").GetString());
        Assert.Contains("ETAG", store.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("1.18.0-daprshop", json.GetProperty("extended").GetProperty("daprRuntimeVersion").GetString());
        Assert.Equal("DISABLED", json.GetProperty("actorRuntime").GetProperty("runtimeStatus").GetString());
    }
}
