using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;

namespace DaprShop.Sidecar.Tests;

/// <summary>The secrets API (SDK over gRPC, and HTTP) with the local file and environment stores.</summary>
public sealed class SecretsTests
{
    private const string SecretsJson = """
        {
          "jwt-signing-key": "k3y",
          "db": { "user": "shop", "password": "pa55", "ports": [5432, 5433] },
          "flag": true
        }
        """;

    private static Dictionary<string, string> FileStore(bool multiValued = false, string separator = ":") => new()
    {
        ["secrets.json"] = SecretsJson,
        ["secretstore.yaml"] = ComponentYaml.Component(
            "localsecrets",
            "secretstores.local.file",
            ("secretsFile", "secrets.json"),
            ("nestedSeparator", separator),
            ("multiValued", multiValued ? "true" : "false")),
    };

    [Fact]
    public async Task GetSecretAsync_file_store_returns_the_secret_under_its_name()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore());

        var secret = await harness.Client.GetSecretAsync("localsecrets", "jwt-signing-key");

        Assert.Equal(new Dictionary<string, string> { ["jwt-signing-key"] = "k3y" }, secret);
    }

    [Fact]
    public async Task GetSecretAsync_nested_json_is_flattened_with_the_separator()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore(separator: "."));

        var password = await harness.Client.GetSecretAsync("localsecrets", "db.password");
        var port = await harness.Client.GetSecretAsync("localsecrets", "db.ports.1");
        var flag = await harness.Client.GetSecretAsync("localsecrets", "flag");

        Assert.Equal("pa55", password["db.password"]);
        Assert.Equal("5433", port["db.ports.1"]);
        Assert.Equal("true", flag["flag"]);
    }

    [Fact]
    public async Task GetSecretAsync_multi_valued_returns_the_object_as_one_secret()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore(multiValued: true));

        var db = await harness.Client.GetSecretAsync("localsecrets", "db");

        Assert.Equal("shop", db["user"]);
        Assert.Equal("pa55", db["password"]);
        Assert.Equal("5432", db["ports:0"]);
    }

    [Fact]
    public async Task GetBulkSecretAsync_file_store_returns_every_secret()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore());

        var all = await harness.Client.GetBulkSecretAsync("localsecrets");

        Assert.Equal("k3y", all["jwt-signing-key"]["jwt-signing-key"]);
        Assert.Equal("shop", all["db:user"]["db:user"]);
        Assert.Equal(6, all.Count);
    }

    [Fact]
    public async Task GetSecretAsync_missing_secret_fails_with_internal_err_secret_get()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore());
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.GetSecretAsync("localsecrets", "nope"));
        var response = await http.GetAsync(new Uri("/v1.0/secrets/localsecrets/nope", UriKind.Relative));

        Assert.Equal(StatusCode.Internal, Rpc(error).StatusCode);
        Assert.Equal("failed getting secret with key nope from secret store localsecrets: secret nope not found", Rpc(error).Status.Detail);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_SECRET_GET", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task GetSecret_unknown_store_answers_401_over_http_and_invalid_argument_over_grpc()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore());
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var response = await http.GetAsync(new Uri("/v1.0/secrets/vault/key", UriKind.Relative));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => harness.Client.GetSecretAsync("vault", "key"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_SECRET_STORE_NOT_FOUND", body.GetProperty("errorCode").GetString());
        Assert.Equal("failed finding secret store with key vault", body.GetProperty("message").GetString());
        Assert.Equal(StatusCode.InvalidArgument, Rpc(error).StatusCode);
    }

    [Fact]
    public async Task GetSecret_http_returns_the_map_and_bulk_returns_map_of_maps()
    {
        await using var harness = await SidecarHarness.StartAsync("secrets-app", FileStore());
        using var http = new HttpClient { BaseAddress = harness.Sidecar.HttpEndpoint };

        var one = await http.GetFromJsonAsync<Dictionary<string, string>>(new Uri("/v1.0/secrets/localsecrets/db:user", UriKind.Relative));
        var all = await http.GetFromJsonAsync<Dictionary<string, Dictionary<string, string>>>(new Uri("/v1.0/secrets/localsecrets/bulk", UriKind.Relative));

        Assert.Equal(new Dictionary<string, string> { ["db:user"] = "shop" }, one);
        Assert.Equal("pa55", all!["db:password"]["db:password"]);
    }

    [Fact]
    public async Task GetSecretAsync_env_store_reads_prefixed_variables_and_hides_dapr_ones()
    {
        var variable = $"DAPRSHOP_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable + "_API_KEY", "from-env");
        try
        {
            await using var harness = await SidecarHarness.StartAsync("env-app", new Dictionary<string, string>
            {
                ["env.yaml"] = ComponentYaml.Component("envsecrets", "secretstores.local.env", ("prefix", variable + "_")),
                ["plain.yaml"] = ComponentYaml.Component("plainenv", "secretstores.local.env"),
            });

            var secret = await harness.Client.GetSecretAsync("envsecrets", "API_KEY");
            var missing = await harness.Client.GetSecretAsync("envsecrets", "NOT_SET");
            var bulk = await harness.Client.GetBulkSecretAsync("envsecrets");
            var all = await harness.Client.GetBulkSecretAsync("plainenv");

            Assert.Equal("from-env", secret["API_KEY"]);
            Assert.Equal(string.Empty, missing["NOT_SET"]);
            Assert.Equal("from-env", bulk["API_KEY"]["API_KEY"]);
            Assert.DoesNotContain(all.Keys, k => k.StartsWith("DAPR_", StringComparison.OrdinalIgnoreCase) || k == "APP_API_TOKEN");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable + "_API_KEY", null);
        }
    }

    [Fact]
    public async Task StartAsync_component_secret_key_ref_resolves_from_the_file_store()
    {
        var resources = FileStore();
        resources["statestore.yaml"] = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: statestore
            spec:
              type: state.sqlite
              version: v1
              metadata:
              - name: connectionString
                secretKeyRef:
                  name: jwt-signing-key
                  key: jwt-signing-key
            auth:
              secretStore: localsecrets
            """;
        await using var harness = await SidecarHarness.StartAsync("secret-ref-app", resources);

        await harness.Client.SaveStateAsync("statestore", "k", "v");

        Assert.True(File.Exists(Path.Combine(harness.ResourcesPath, "k3y")));
    }

    private static RpcException Rpc(Exception error) =>
        Assert.IsType<RpcException>(error is DaprException { InnerException: { } inner } ? inner : error);
}
