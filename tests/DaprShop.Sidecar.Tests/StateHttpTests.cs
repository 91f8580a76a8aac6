using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Tests.Infrastructure;

namespace DaprShop.Sidecar.Tests;

/// <summary>The state API over HTTP, called as curl would, and its interplay with the SDK over gRPC.</summary>
public sealed class StateHttpTests
{
    private const string Store = "statestore";

    private static Task<SidecarHarness> StartAsync(string kind) =>
        SidecarHarness.StartAsync("http-app", new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore(kind) });

    private static HttpClient Http(SidecarHarness harness) => new() { BaseAddress = harness.Sidecar.HttpEndpoint };

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task PostState_then_GetState_returns_the_json_value_with_an_etag(string kind)
    {
        await using var harness = await StartAsync(kind);
        using var http = Http(harness);

        var saved = await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "cart", "value": {"items": 2, "owner": "ann"}}]""");
        var read = await http.GetAsync(Uri("/v1.0/state/statestore/cart"));

        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("application/json", read.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(read.Headers.ETag?.Tag ?? string.Join(",", read.Headers.GetValues("ETag"))));
        using var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal(2, body.RootElement.GetProperty("items").GetInt32());
        Assert.Equal("ann", body.RootElement.GetProperty("owner").GetString());
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task PostState_value_written_over_http_reads_back_through_the_sdk_and_back(string kind)
    {
        await using var harness = await StartAsync(kind);
        using var http = Http(harness);

        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "greeting", "value": "hello"}]""");
        var fromSdk = await harness.Client.GetStateAsync<string>(Store, "greeting");
        await harness.Client.SaveStateAsync(Store, "sdk-written", new { Name = "bob", Age = 42 });
        var fromHttp = await http.GetStringAsync(Uri("/v1.0/state/statestore/sdk-written"));

        Assert.Equal("hello", fromSdk);
        using var document = JsonDocument.Parse(fromHttp);
        Assert.Equal("bob", document.RootElement.GetProperty("name").GetString());
        Assert.Equal(42, document.RootElement.GetProperty("age").GetInt32());
    }

    [Fact]
    public async Task GetState_missing_key_answers_204()
    {
        await using var harness = await StartAsync("in-memory");
        using var http = Http(harness);

        var response = await http.GetAsync(Uri("/v1.0/state/statestore/absent"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task PostState_stale_etag_answers_409_err_state_save(string kind)
    {
        await using var harness = await StartAsync(kind);
        using var http = Http(harness);
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "doc", "value": 1}]""");
        var stale = await ETagAsync(http, "doc");
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "doc", "value": 1}]""");

        var response = await PostJsonAsync(http, "/v1.0/state/statestore", $$"""[{"key": "doc", "value": 2, "etag": "{{stale}}"}]""");

        await AssertErrorAsync(response, HttpStatusCode.Conflict, "ERR_STATE_SAVE", "failed saving state in state store statestore: possible etag mismatch");
        Assert.Equal(1, await harness.Client.GetStateAsync<int>(Store, "doc"));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task DeleteState_if_match_stale_answers_409_and_current_deletes(string kind)
    {
        await using var harness = await StartAsync(kind);
        using var http = Http(harness);
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "doc", "value": "v"}]""");
        var old = await ETagAsync(http, "doc");
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "doc", "value": "v"}]""");
        var etag = await ETagAsync(http, "doc");

        using var stale = new HttpRequestMessage(HttpMethod.Delete, Uri("/v1.0/state/statestore/doc"));
        stale.Headers.TryAddWithoutValidation("If-Match", old);
        var refused = await http.SendAsync(stale);
        using var current = new HttpRequestMessage(HttpMethod.Delete, Uri("/v1.0/state/statestore/doc"));
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        var deleted = await http.SendAsync(current);

        await AssertErrorAsync(refused, HttpStatusCode.Conflict, "ERR_STATE_DELETE", "failed deleting state with key doc: possible etag mismatch");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync(Uri("/v1.0/state/statestore/doc"))).StatusCode);
    }

    [Fact]
    public async Task PostStateBulk_answers_data_and_etag_per_key()
    {
        await using var harness = await StartAsync("sqlite");
        using var http = Http(harness);
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "a", "value": {"n": 1}}, {"key": "b", "value": "two"}]""");

        var response = await PostJsonAsync(http, "/v1.0/state/statestore/bulk", """{"keys": ["a", "b", "zzz"], "parallelism": 10}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var items = body.RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        Assert.Equal(1, items["a"].GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("two", items["b"].GetProperty("data").GetString());
        Assert.True(items["a"].TryGetProperty("etag", out _));
        Assert.False(items["zzz"].TryGetProperty("data", out _));
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task PostStateTransaction_stale_etag_answers_500_and_changes_nothing(string kind)
    {
        await using var harness = await StartAsync(kind);
        using var http = Http(harness);
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "a", "value": 1}]""");
        var stale = await ETagAsync(http, "a");
        await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "a", "value": 1}]""");

        var failed = await PostJsonAsync(http, "/v1.0/state/statestore/transaction", $$$"""
            {"operations": [
                {"operation": "upsert", "request": {"key": "b", "value": 2}},
                {"operation": "upsert", "request": {"key": "a", "value": 3, "etag": "{{{stale}}}"}}
            ]}
            """);
        var applied = await PostJsonAsync(http, "/v1.0/state/statestore/transaction", """
            {"operations": [
                {"operation": "upsert", "request": {"key": "c", "value": 4}},
                {"operation": "delete", "request": {"key": "a"}}
            ]}
            """);

        // daprd's state.redis has no rollback: the write before the failed one stays (see StateTests).
        await AssertErrorAsync(failed, HttpStatusCode.InternalServerError, "ERR_STATE_TRANSACTION", kind == "redis" ? "error while executing state transaction: failed to set key" : "error while executing state transaction: possible etag mismatch");
        Assert.Equal(HttpStatusCode.NoContent, applied.StatusCode);
        Assert.Equal(kind == "redis" ? 2 : 0, await harness.Client.GetStateAsync<int>(Store, "b"));
        Assert.Equal(0, await harness.Client.GetStateAsync<int>(Store, "a"));
        Assert.Equal(4, await harness.Client.GetStateAsync<int>(Store, "c"));
    }

    [Fact]
    public async Task PostStateTransaction_unknown_operation_answers_400()
    {
        await using var harness = await StartAsync("in-memory");
        using var http = Http(harness);

        var response = await PostJsonAsync(http, "/v1.0/state/statestore/transaction", """{"operations": [{"operation": "merge", "request": {"key": "a"}}]}""");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type merge not supported");
    }

    [Fact]
    public async Task PostState_ttl_in_query_metadata_expires_the_item()
    {
        await using var harness = await StartAsync("sqlite");
        using var http = Http(harness);

        await PostJsonAsync(http, "/v1.0/state/statestore?metadata.ttlInSeconds=1", """[{"key": "brief", "value": "x"}]""");
        var fresh = await http.GetAsync(Uri("/v1.0/state/statestore/brief"));

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.True(fresh.Headers.Contains("metadata.ttlExpireTime"));
        await Eventually.WaitAsync(
            async () => (await http.GetAsync(Uri("/v1.0/state/statestore/brief"))).StatusCode,
            status => status == HttpStatusCode.NoContent,
            TimeSpan.FromSeconds(5),
            "the item to expire");
    }

    [Fact]
    public async Task PostState_bad_ttl_answers_500_err_state_save()
    {
        await using var harness = await StartAsync("in-memory");
        using var http = Http(harness);

        var response = await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "k", "value": 1, "metadata": {"ttlInSeconds": "-5"}}]""");

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "ERR_STATE_SAVE", "failed saving state in state store statestore: incorrect value for metadata 'ttlInSeconds'");
    }

    [Fact]
    public async Task GetState_unknown_store_answers_400_err_state_store_not_found()
    {
        await using var harness = await StartAsync("in-memory");
        using var http = Http(harness);

        var response = await http.GetAsync(Uri("/v1.0/state/nope/key"));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_STATE_STORE_NOT_FOUND", "state store nope is not found");
    }

    [Fact]
    public async Task PostState_key_with_separator_answers_400_and_missing_key_too()
    {
        await using var harness = await StartAsync("in-memory");
        using var http = Http(harness);

        var separator = await PostJsonAsync(http, "/v1.0/state/statestore", """[{"key": "a||b", "value": 1}]""");
        var missing = await PostJsonAsync(http, "/v1.0/state/statestore", """[{"value": 1}]""");
        var malformed = await PostJsonAsync(http, "/v1.0/state/statestore", "[{not json");

        await AssertErrorAsync(separator, HttpStatusCode.BadRequest, "ERR_MALFORMED_REQUEST", "input key/keyPrefix 'a||b' can't contain '||'");
        await AssertErrorAsync(missing, HttpStatusCode.BadRequest, "ERR_MALFORMED_REQUEST", "\"key\" is a required field");
        await AssertErrorAsync(malformed, HttpStatusCode.BadRequest, "ERR_MALFORMED_REQUEST", string.Empty);
    }

    private static Uri Uri(string path) => new(path, UriKind.Relative);

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await http.PostAsync(Uri(path), content);
    }

    private static async Task<string> ETagAsync(HttpClient http, string key)
    {
        using var response = await http.GetAsync(Uri($"/v1.0/state/statestore/{key}"));
        return response.Headers.GetValues("ETag").Single();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode, string messageStart)
    {
        Assert.Equal(status, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(errorCode, error.GetProperty("errorCode").GetString());
        Assert.StartsWith(messageStart, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
