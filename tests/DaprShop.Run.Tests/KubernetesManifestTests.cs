using DaprShop.Run.RunFiles;
using DaprShop.Sidecar.Components;
using DaprShop.Testing;
using YamlDotNet.RepresentationModel;

namespace DaprShop.Run.Tests;

/// <summary>
/// deploy/kubernetes/base against the code and the local run: every manifest listed in the kustomization, every app of
/// dapr.yaml deployed with its app id, port and own Configuration, and the Dapr components named, typed and scoped as
/// the Redis profile has them. A rename on one side fails here.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Base = RepositoryFolder.Combine("deploy", "kubernetes", "base");

    private static readonly RunFile RunFile = RunFileParser.Load(RepositoryFolder.Combine("dapr.yaml"));

    /// <summary>The folders of the profile the Kubernetes components mirror.</summary>
    private static readonly string[] RedisProfile = ["common", "redis"];

    [Fact]
    public void Kustomization_Lists_every_manifest_of_the_base_and_only_existing_ones()
    {
        var listed = Resources().Where(file => !file.StartsWith("../", StringComparison.Ordinal));
        var present = Directory.EnumerateFiles(Base, "*.yaml", SearchOption.AllDirectories)
            .Select(file => System.IO.Path.GetRelativePath(Base, file).Replace('\\', '/'))
            .Where(file => file != "kustomization.yaml")
            .Order(StringComparer.Ordinal);

        Assert.Equal(present, listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_app_of_the_run_file_Deployed_with_its_app_id_port_and_configuration_and_nothing_else()
    {
        var deployments = Documents("Deployment").ToList();

        Assert.Equal(RunFile.Apps.Select(a => a.AppId).Order(StringComparer.Ordinal), deployments.Select(Name).Order(StringComparer.Ordinal));
        var configurations = Documents("Configuration").Select(Name).ToHashSet(StringComparer.Ordinal);
        foreach (var app in RunFile.Apps)
        {
            var deployment = deployments.Single(d => Name(d) == app.AppId);
            var annotations = (YamlMappingNode)Path(deployment, "spec", "template", "metadata", "annotations");
            Assert.Equal("true", Scalar(annotations, "dapr.io/enabled"));
            Assert.Equal(app.AppId, Scalar(annotations, "dapr.io/app-id"));
            Assert.Equal(app.AppPort.ToString(), Scalar(annotations, "dapr.io/app-port"));
            Assert.Contains(Scalar(annotations, "dapr.io/config"), configurations);

            var container = (YamlMappingNode)((YamlSequenceNode)Path(deployment, "spec", "template", "spec", "containers")).Children[0];
            var port = ((YamlSequenceNode)container["ports"]).Children.Cast<YamlMappingNode>().Single();
            Assert.Equal(app.AppPort.ToString(), Scalar(port, "containerPort"));
            var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));
            Assert.Equal(app.AppPort.ToString(), env["APP_PORT"]);
            Assert.Equal("Production", env["ASPNETCORE_ENVIRONMENT"]);
            Assert.Equal("/healthz", Scalar((YamlMappingNode)Path(container, "readinessProbe", "httpGet"), "path"));
            Assert.Equal($"{ContainerImageOf(app.AppDirPath)}:latest", Scalar(container, "image"));
        }
    }

    [Fact]
    public void Only_the_gateway_Is_reachable_from_outside_the_cluster()
    {
        var exposed = Documents("Service").Where(s => Scalar((YamlMappingNode)s["spec"], "type") is "LoadBalancer" or "NodePort").Select(Name);

        Assert.Equal(["auth-gateway"], exposed);
    }

    [Fact]
    public void Dapr_components_Named_typed_and_scoped_as_the_redis_profile_has_them()
    {
        var local = RedisProfile
            .SelectMany(folder => Directory.EnumerateFiles(RepositoryFolder.Combine("components", folder), "*.yaml"))
            .SelectMany(ResourceLoader.ReadFile)
            .Where(d => d.Kind == "Component")
            .ToDictionary(d => d.Name, StringComparer.Ordinal);
        var deployed = Documents("Component").ToList();

        Assert.Equal(local.Keys.Order(StringComparer.Ordinal), deployed.Select(Name).Order(StringComparer.Ordinal));
        foreach (var component in deployed)
        {
            var name = Name(component);
            var localScopes = local[name].Scopes.Order(StringComparer.Ordinal);
            IEnumerable<string> scopes = component.Children.TryGetValue(new YamlScalarNode("scopes"), out var list)
                ? ((YamlSequenceNode)list).Children.Select(s => ((YamlScalarNode)s).Value!).Order(StringComparer.Ordinal)
                : [];
            Assert.Equal(localScopes, scopes);
        }

        var types = deployed.ToDictionary(Name, c => Scalar((YamlMappingNode)c["spec"], "type"), StringComparer.Ordinal);
        Assert.Equal("state.redis", types["statestore"]);
        Assert.Equal("pubsub.redis", types["pubsub"]);
    }

    [Fact]
    public void Scaled_and_protected_Deployments_exist()
    {
        var deployments = Documents("Deployment").Select(Name).ToHashSet(StringComparer.Ordinal);
        var scaled = Documents("HorizontalPodAutoscaler").Select(h => Scalar((YamlMappingNode)Path(h, "spec", "scaleTargetRef"), "name"));
        var protectedApps = Documents("PodDisruptionBudget").Select(p => Scalar((YamlMappingNode)Path(p, "spec", "selector", "matchLabels"), "app.kubernetes.io/name"));

        Assert.Equal(["auth-gateway", "order-service"], scaled.Order(StringComparer.Ordinal));
        Assert.All(scaled, name => Assert.Contains(name, deployments));
        Assert.Equal(deployments.Order(StringComparer.Ordinal), protectedApps.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Resiliency_The_local_profiles_own_file_not_a_copy()
    {
        var resiliency = Assert.Single(Documents("Resiliency"));

        Assert.Equal("daprshop-resiliency", Name(resiliency));
        Assert.Contains("../../../components/common/resiliency.yaml", Resources());
    }

    /// <summary>The files the base's kustomization takes in, relative to the base; a folder stands for its own kustomization's files.</summary>
    private static List<string> Resources(string folder = "")
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(System.IO.Path.Combine(Base, folder, "kustomization.yaml")))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var files = new List<string>();
        foreach (var resource in ((YamlSequenceNode)root["resources"]).Children.Select(r => ((YamlScalarNode)r).Value!))
        {
            var path = folder.Length == 0 ? resource : $"{folder}/{resource}";
            files.AddRange(Directory.Exists(System.IO.Path.Combine(Base, path)) ? Resources(path) : [path]);
        }

        return files;
    }

    private static IEnumerable<YamlMappingNode> Documents(string kind)
    {
        foreach (var file in Resources())
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(System.IO.Path.Combine(Base, file));
            stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode root && Scalar(root, "kind") == kind)
                {
                    yield return root;
                }
            }
        }
    }

    /// <summary>The ContainerRepository the app's project sets for <c>dotnet publish /t:PublishContainer</c>.</summary>
    private static string ContainerImageOf(string appDirectory)
    {
        var project = Directory.EnumerateFiles(appDirectory, "*.csproj").Single();
        return System.Xml.Linq.XDocument.Load(project).Descendants("ContainerRepository").Single().Value;
    }

    private static string Name(YamlMappingNode document) => Scalar((YamlMappingNode)document["metadata"], "name");

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static YamlNode Path(YamlMappingNode node, params string[] keys)
    {
        YamlNode current = node;
        foreach (var key in keys)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return current;
    }
}
