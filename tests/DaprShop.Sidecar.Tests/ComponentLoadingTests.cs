using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.State;
using DaprShop.Sidecar.Tests.Infrastructure;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// Strict loading: a component file daprd would refuse stops <see cref="Sidecar.StartAsync"/> with a
/// <see cref="ResourceLoadException"/> whose message is one line naming the file and the field.
/// </summary>
public sealed class ComponentLoadingTests
{
    public static TheoryData<string, string, string> BadComponents => new()
    {
        {
            ComponentYaml.Component("statestore", "state.cassandra-ish"),
            "spec.type",
            "unknown component type 'state.cassandra-ish'"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite"),
            "spec.metadata.connectionString",
            "is required"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite", ("connectionString", "s.db"), ("actorStateStore", "maybe")),
            "spec.metadata.actorStateStore",
            "'maybe' is not a boolean"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite", ("connectionString", "s.db"), ("timeout", "abc")),
            "spec.metadata.timeout",
            "'abc' is not a duration"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite", ("connectionString", "s.db"), ("timeout", "500ms")),
            "spec.metadata.timeout",
            "must be at least 1s"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite", ("connectionString", "s.db"), ("tableName", "state; drop")),
            "spec.metadata.tableName",
            "is not a valid identifier"
        },
        {
            ComponentYaml.Component("statestore", "state.sqlite", ("connectionString", "s.db?_pragma=journal_mode(DELETE)")),
            "spec.metadata.connectionString",
            "is not allowed in the connection string"
        },
        {
            ComponentYaml.Component("statestore", "state.in-memory", ("keyPrefix", "a||b")),
            "spec.metadata.keyPrefix",
            "can't contain '||'"
        },
        {
            ComponentYaml.Component("secrets", "secretstores.local.file"),
            "spec.metadata.secretsFile",
            "is required"
        },
        {
            ComponentYaml.Component("secrets", "secretstores.local.file", ("secretsFile", "missing.json")),
            "spec.metadata.secretsFile",
            "cannot read"
        },
        {
            ComponentYaml.Component("statestore", "state.redis"),
            "spec.metadata.redisHost",
            "is required"
        },
        {
            ComponentYaml.Component("statestore", "state.redis", ("redisHost", "localhost:63790"), ("redisPort", "6379")),
            "spec.metadata.redisPort",
            "already contains port 63790"
        },
        {
            ComponentYaml.Component("statestore", "state.redis", ("redisHost", "localhost:6379"), ("redisType", "cluster")),
            "spec.metadata.redisType",
            "'cluster' is not supported"
        },
        {
            ComponentYaml.Component("pubsub", "pubsub.redis", ("redisHost", "localhost:6379"), ("redisDB", "one")),
            "spec.metadata.redisDB",
            "'one' is not an integer"
        },
        {
            ComponentYaml.Component("pubsub", "pubsub.redis", ("redisHost", "localhost:6379"), ("processingTimeout", "soon")),
            "spec.metadata.processingTimeout",
            "'soon' is not a duration"
        },
        {
            ComponentYaml.Component("files", "bindings.localstorage"),
            "spec.metadata.rootPath",
            "is required"
        },
        {
            ComponentYaml.Component("files", "bindings.localstorage", ("rootPath", "/proc/daprshop")),
            "spec.metadata.rootPath",
            "disallowed location"
        },
    };

    [Theory]
    [MemberData(nameof(BadComponents))]
    public async Task StartAsync_bad_component_throws_one_line_naming_file_and_field(string yaml, string field, string problem)
    {
        var error = await StartExpectingFailureAsync(new Dictionary<string, string> { ["broken.yaml"] = yaml });

        Assert.EndsWith("broken.yaml", error.File, StringComparison.Ordinal);
        Assert.Contains(field, error.Field, StringComparison.Ordinal);
        Assert.Contains("broken.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\n spec:\n  type: state.in-memory\n", "line")]
    [InlineData("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\nspec:\n  type: state.in-memory\n", "document")]
    public async Task StartAsync_malformed_yaml_throws_one_line_naming_the_file(string yaml, string field)
    {
        var error = await StartExpectingFailureAsync(new Dictionary<string, string> { ["broken.yaml"] = yaml });

        Assert.Contains("broken.yaml", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(field, error.Field, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task StartAsync_document_of_a_kind_daprd_does_not_load_Skipped_as_daprd_skips_it()
    {
        // A Kustomization beside the components (components/common has one), with no metadata at all.
        await using var harness = await SidecarHarness.StartAsync("skips-others", new Dictionary<string, string>
        {
            ["kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - memory.yaml\n",
            ["memory.yaml"] = ComponentYaml.Component("memory", "state.sqlite", ("connectionString", ":memory:")),
        });

        await harness.Client.SaveStateAsync("memory", "k", 3);

        Assert.Equal(3, await harness.Client.GetStateAsync<int>("memory", "k"));
    }

    [Fact]
    public async Task StartAsync_good_components_load()
    {
        await using var harness = await SidecarHarness.StartAsync("loads-fine", new Dictionary<string, string>
        {
            ["statestore.yaml"] = ComponentYaml.Component(
                "statestore",
                "state.sqlite",
                ("connectionString", "file:data/state.db?mode=rwc"),
                ("timeout", "30"),
                ("busyTimeout", "500ms"),
                ("cleanupInterval", "1h"),
                ("actorStateStore", "true"),
                ("tableName", "shop_state")),
            ["memory.yaml"] = ComponentYaml.Component("memory", "state.sqlite", ("connectionString", ":memory:")),
        });

        await harness.Client.SaveStateAsync("statestore", "k", 1);
        await harness.Client.SaveStateAsync("memory", "k", 2);

        Assert.True(File.Exists(Path.Combine(harness.ResourcesPath, "data", "state.db")));
        Assert.Equal(2, await harness.Client.GetStateAsync<int>("memory", "k"));
    }

    [Theory]
    [InlineData("actorStateStore")]
    [InlineData("outboxPublishPubsub")]
    public async Task LoadAsync_store_that_cannot_list_keys_for_actors_or_outbox_stops_start_up(string field)
    {
        var catalog = new ComponentCatalog();
        StateComponents.Register(catalog, "state.unlisted", (_, _) => new UnlistedStore());
        var yaml = field == "actorStateStore"
            ? ComponentYaml.Component("statestore", "state.unlisted", ("actorStateStore", "true"))
            : ComponentYaml.Component("statestore", "state.unlisted", ("outboxPublishPubsub", "pubsub"), ("outboxPublishTopic", "orders"));
        var path = SidecarHarness.WriteResources(new Dictionary<string, string> { ["statestore.yaml"] = yaml });
        try
        {
            var error = await Assert.ThrowsAsync<ResourceLoadException>(() => ComponentRegistry.LoadAsync(
                ResourceLoader.Load([path], "app"),
                catalog,
                new ComponentContext("app", path, new LocalCluster(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System),
                CancellationToken.None));

            Assert.Contains($"spec.metadata.{field}", error.Message, StringComparison.Ordinal);
            Assert.Contains("state.unlisted cannot list its keys by prefix", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private sealed class UnlistedStore : IStateStore
    {
        public StateFeatures Features => StateFeatures.ETag | StateFeatures.Transactional;

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult<StateEntry?>(null);

        public Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<BulkStateEntry>>([]);

        public Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<ResourceLoadException> StartExpectingFailureAsync(Dictionary<string, string> resources)
    {
        var path = SidecarHarness.WriteResources(resources);
        try
        {
            return await Assert.ThrowsAsync<ResourceLoadException>(() => Sidecar.StartAsync(
                new SidecarOptions { AppId = "broken", ResourcesPaths = [path], BaseDirectory = path },
                new LocalCluster()));
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
