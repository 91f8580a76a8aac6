using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;

namespace DaprShop.Sidecar.Tests;

/// <summary>The output bindings API with <c>bindings.localstorage</c>, through the SDK and over HTTP.</summary>
public sealed class BindingsTests
{
    private const string Binding = "files";

    private static Task<SidecarHarness> StartAsync() =>
        SidecarHarness.StartAsync("bindings-app", new Dictionary<string, string>
        {
            ["files.yaml"] = ComponentYaml.Component(Binding, "bindings.localstorage", ("rootPath", "out/files")),
        });

    private static string Root(SidecarHarness harness) => Path.Combine(harness.ResourcesPath, "out", "files");

    [Fact]
    public async Task InvokeBindingAsync_create_get_list_delete_round_trip()
    {
        await using var harness = await StartAsync();
        var metadata = new Dictionary<string, string> { ["fileName"] = "notes/n-1.json" };

        var created = await harness.Client.InvokeBindingAsync<object, JsonElement>(Binding, "create", new { to = "ann", text = "paid" }, metadata);
        var read = await harness.Client.InvokeBindingAsync(new BindingRequest(Binding, "get") { Metadata = { ["fileName"] = "notes/n-1.json" } });
        var listed = await harness.Client.InvokeBindingAsync<object?, string[]>(Binding, "list", null);
        await harness.Client.InvokeBindingAsync(new BindingRequest(Binding, "delete") { Metadata = { ["fileName"] = "notes/n-1.json" } });

        Assert.Equal(Path.Combine("notes", "n-1.json"), created.GetProperty("fileName").GetString());
        using var document = JsonDocument.Parse(read.Data);
        Assert.Equal("ann", document.RootElement.GetProperty("to").GetString());
        Assert.Equal([Path.Combine(Root(harness), "notes", "n-1.json")], listed);
        Assert.False(File.Exists(Path.Combine(Root(harness), "notes", "n-1.json")));
    }

    [Fact]
    public async Task InvokeBindingAsync_create_without_file_name_generates_one()
    {
        await using var harness = await StartAsync();

        var created = await harness.Client.InvokeBindingAsync<string, JsonElement>(Binding, "create", "plain text");
        var fileName = created.GetProperty("fileName").GetString()!;

        Assert.True(Guid.TryParse(fileName, out _));
        Assert.Equal("plain text", await File.ReadAllTextAsync(Path.Combine(Root(harness), fileName)));
    }

    [Fact]
    public async Task InvokeBindingAsync_create_base64_data_is_decoded()
    {
        await using var harness = await StartAsync();
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("decoded content"));

        await harness.Client.InvokeBindingAsync(Binding, "create", encoded, new Dictionary<string, string> { ["fileName"] = "b64.txt" });

        Assert.Equal("decoded content", await File.ReadAllTextAsync(Path.Combine(Root(harness), "b64.txt")));
    }

    [Fact]
    public async Task InvokeBindingAsync_file_name_outside_root_path_is_refused()
    {
        await using var harness = await StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            harness.Client.InvokeBindingAsync(Binding, "create", "x", new Dictionary<string, string> { ["fileName"] = "../../escape.txt" }));

        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.StartsWith("error invoking output binding files: error getting absolute path for file ../../escape.txt", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(harness.ResourcesPath, "escape.txt")));
    }

    [Fact]
    public async Task InvokeBindingAsync_get_missing_file_fails_with_err_invoke_output_binding()
    {
        await using var harness = await StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            harness.Client.InvokeBindingAsync(new BindingRequest(Binding, "get") { Metadata = { ["fileName"] = "none.txt" } }));
        var response = await http.PostAsJsonAsync(new Uri("/v1.0/bindings/files", UriKind.Relative), new { operation = "get", metadata = new { fileName = "none.txt" } });

        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.StartsWith("error invoking output binding files: file not found:", Rpc(error).Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_INVOKE_OUTPUT_BINDING", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task InvokeBinding_unknown_binding_or_operation_fails()
    {
        await using var harness = await StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var unknown = await http.PostAsJsonAsync(new Uri("/v1.0/bindings/nope", UriKind.Relative), new { operation = "create", data = "x" });
        var badOperation = await http.PostAsJsonAsync(new Uri("/v1.0/bindings/files", UriKind.Relative), new { operation = "rename", data = "x" });

        Assert.Equal(HttpStatusCode.InternalServerError, unknown.StatusCode);
        Assert.Equal("error invoking output binding nope: couldn't find output binding nope", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Equal(
            "error invoking output binding files: binding files does not support operation rename. supported operations:create get list delete",
            (await badOperation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task PostBinding_http_create_writes_the_json_of_data_and_delete_answers_204()
    {
        await using var harness = await StartAsync();
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var created = await http.PostAsJsonAsync(new Uri("/v1.0/bindings/files", UriKind.Relative), new { operation = "create", data = new { orderId = "o-1" }, metadata = new { fileName = "o-1.json" } });
        var deleted = await http.PostAsJsonAsync(new Uri("/v1.0/bindings/files", UriKind.Relative), new { operation = "delete", metadata = new { fileName = "o-1.json" } });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("o-1.json", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fileName").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private static RpcException Rpc(Exception error) =>
        Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
}
