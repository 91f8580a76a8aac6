using System.Diagnostics;
using DaprShop.Testing;

namespace DaprShop.Run.Tests;

/// <summary>
/// deploy/kubernetes/base against the Kubernetes API schemas and Dapr's CRD schemas, with the validator in
/// tools/manifest-check (kubernetes-models and ajv, from npm: <c>npm ci --prefix tools/manifest-check</c>, which .ci/run
/// does).
/// </summary>
public sealed class ManifestSchemaTests
{
    private static readonly string Tool = RepositoryFolder.Combine("tools", "manifest-check");

    [Fact]
    public async Task Kubernetes_base_Every_manifest_valid_against_its_schema()
    {
        var (exitCode, output) = await ValidateAsync(RepositoryFolder.Combine("deploy", "kubernetes", "base"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("24 manifests checked, 0 invalid", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_manifests_Each_named_with_its_schema_error()
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-manifests-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"), "resources:\n  - bad.yaml\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "bad.yaml"), """
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

            var (exitCode, output) = await ValidateAsync(folder);

            Assert.Equal(1, exitCode);
            Assert.Contains("Deployment x: data/spec/replicas must be integer", output, StringComparison.Ordinal);
            Assert.Contains(output.Split('\n'), line => line.Contains("Component y:", StringComparison.Ordinal) && line.Contains("must have required property 'type'", StringComparison.Ordinal));
            Assert.Contains("2 manifests checked, 2 invalid", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> ValidateAsync(string folder)
    {
        if (!Directory.Exists(Path.Combine(Tool, "node_modules")))
        {
            throw new InvalidOperationException("The manifest validator's packages are not installed: run `npm ci --prefix tools/manifest-check` (needs Node.js; .ci/run does it).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = Tool, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("validate.mjs");
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await errors);
    }
}
