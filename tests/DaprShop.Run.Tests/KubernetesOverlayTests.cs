using DaprShop.Testing;
using YamlDotNet.RepresentationModel;

namespace DaprShop.Run.Tests;

/// <summary>
/// What each overlay of deploy/kubernetes is for, checked in what kustomize renders from it: local fits one small node
/// and runs the images built on that machine; production scales every app from three pods and runs pinned images. The
/// rules every cluster keeps, the base included, are the validator's (<see cref="ManifestSchemaTests"/>).
/// </summary>
public sealed class KubernetesOverlayTests
{
    private static readonly string[] Apps = ["auth-gateway", "notification-service", "order-service", "payment-service"];

    [Fact]
    public async Task Local_One_pod_per_app_from_the_image_built_here_without_autoscaling_or_budgets()
    {
        var manifests = await RenderAsync("local");
        var deployments = Of(manifests, "Deployment");

        Assert.Equal(Apps, deployments.Select(Name).Order(StringComparer.Ordinal));
        Assert.All(deployments, deployment =>
        {
            Assert.Equal("1", Scalar(deployment, "spec", "replicas"));
            var container = AppContainer(deployment);
            Assert.Equal($"daprshop/{Name(deployment)}:latest", Scalar(container, "image"));
            Assert.Equal("Never", Scalar(container, "imagePullPolicy"));
        });
        Assert.Empty(Of(manifests, "HorizontalPodAutoscaler"));
        Assert.Empty(Of(manifests, "PodDisruptionBudget"));
    }

    [Fact]
    public async Task Local_Gateway_On_port_30080_of_the_node()
    {
        var gateway = Of(await RenderAsync("local"), "Service").Single(s => Name(s) == "auth-gateway");

        Assert.Equal("NodePort", Scalar(gateway, "spec", "type"));
        var port = (YamlMappingNode)((YamlSequenceNode)gateway["spec"]["ports"]).Children.Single();
        Assert.Equal("30080", Scalar(port, "nodePort"));
    }

    [Fact]
    public async Task Production_Every_image_pinned_to_the_same_release_tag()
    {
        var images = Of(await RenderAsync("production"), "Deployment").Select(d => Scalar(AppContainer(d), "image")!).ToList();

        var tags = images.Select(image => image[(image.LastIndexOf(':') + 1)..]).Distinct().ToList();
        var tag = Assert.Single(tags);
        Assert.NotEqual("latest", tag);
        Assert.Equal(Apps.Select(app => $"daprshop/{app}:{tag}"), images.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Production_Every_app_scaled_by_its_HPA_from_three_pods_and_no_fixed_replica_count()
    {
        var manifests = await RenderAsync("production");
        var autoscalers = Of(manifests, "HorizontalPodAutoscaler").ToDictionary(h => Scalar(h, "spec", "scaleTargetRef", "name")!, StringComparer.Ordinal);

        Assert.Equal(Apps, autoscalers.Keys.Order(StringComparer.Ordinal));
        Assert.All(autoscalers.Values, autoscaler =>
        {
            Assert.Equal("3", Scalar(autoscaler, "spec", "minReplicas"));
            Assert.True(int.Parse(Scalar(autoscaler, "spec", "maxReplicas")!) > 3, Name(autoscaler));
        });
        Assert.All(Of(manifests, "Deployment"), deployment => Assert.Null(Scalar(deployment, "spec", "replicas")));
    }

    [Fact]
    public async Task Production_A_drain_takes_one_pod_of_an_app_at_a_time()
    {
        var budgets = Of(await RenderAsync("production"), "PodDisruptionBudget");

        Assert.Equal(Apps, budgets.Select(Name).Order(StringComparer.Ordinal));
        Assert.All(budgets, budget =>
        {
            Assert.Equal("1", Scalar(budget, "spec", "maxUnavailable"));
            Assert.Null(Scalar(budget, "spec", "minAvailable"));
        });
    }

    private static async Task<List<YamlMappingNode>> RenderAsync(string overlay)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(await ManifestCheck.RenderAsync(RepositoryFolder.Combine("deploy", "kubernetes", "overlays", overlay))));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static List<YamlMappingNode> Of(List<YamlMappingNode> manifests, string kind) =>
        manifests.Where(m => Scalar(m, "kind") == kind).ToList();

    private static YamlMappingNode AppContainer(YamlMappingNode deployment) =>
        (YamlMappingNode)((YamlSequenceNode)deployment["spec"]["template"]["spec"]["containers"]).Children.Single();

    private static string Name(YamlMappingNode manifest) => Scalar(manifest, "metadata", "name")!;

    /// <summary>The scalar at a path of keys, or null where the path ends early.</summary>
    private static string? Scalar(YamlMappingNode node, params string[] keys)
    {
        YamlNode current = node;
        foreach (var key in keys)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out current!))
            {
                return null;
            }
        }

        return (current as YamlScalarNode)?.Value;
    }
}
