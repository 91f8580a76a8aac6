using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>
/// One app and its local sidecar on loopback, for conformance tests: the app is a small ASP.NET
/// Core host the test configures; the resources are YAML files the test writes into a temporary
/// folder; the client is the official Dapr .NET SDK pointed at the sidecar.
/// </summary>
public sealed class SidecarHarness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private SidecarHarness(string resourcesPath)
    {
        ResourcesPath = resourcesPath;
    }

    public string ResourcesPath { get; }

    public Sidecar Sidecar { get; private set; } = null!;

    public WebApplication? App { get; private set; }

    public DaprClient Client { get; private set; } = null!;

    public LocalCluster Cluster { get; private set; } = null!;

    /// <summary>A temporary resources folder holding the given files (name → YAML).</summary>
    public static string WriteResources(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var path = Directory.CreateTempSubdirectory("daprshop-sidecar-tests-").FullName;
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(path, name), yaml);
        }

        return path;
    }

    /// <summary>
    /// Starts an app (when <paramref name="configureApp"/> is given) and its sidecar in
    /// <paramref name="cluster"/> (a new one when null).
    /// </summary>
    public static async Task<SidecarHarness> StartAsync(
        string appId,
        IReadOnlyDictionary<string, string> resources,
        Action<WebApplication>? configureApp = null,
        Action<WebApplicationBuilder>? configureAppServices = null,
        LocalCluster? cluster = null,
        Func<SidecarOptions, SidecarOptions>? configureSidecar = null)
    {
        var harness = new SidecarHarness(WriteResources(resources));
        harness.Cluster = cluster ?? new LocalCluster();
        int? appPort = null;
        if (configureApp is not null)
        {
            appPort = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
            configureAppServices?.Invoke(builder);
            var app = builder.Build();
            configureApp(app);
            await app.StartAsync();
            harness.App = app;
            harness._owned.Add(app);
        }

        var options = new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            HttpPort = FreePort.Next(),
            GrpcPort = FreePort.Next(),
            ResourcesPaths = [harness.ResourcesPath],
            BaseDirectory = harness.ResourcesPath,
        };
        options = configureSidecar?.Invoke(options) ?? options;
        harness.Sidecar = await Sidecar.StartAsync(options, harness.Cluster);
        harness._owned.Insert(0, harness.Sidecar);
        await harness.Sidecar.AppReady.WaitAsync(TimeSpan.FromSeconds(30));
        harness.Client = harness.CreateClient(options.DaprApiToken);
        return harness;
    }

    /// <summary>A Dapr SDK client for this sidecar, with an optional API token.</summary>
    public DaprClient CreateClient(string? apiToken = null)
    {
        var builder = new DaprClientBuilder()
            .UseHttpEndpoint(Sidecar.HttpEndpoint.ToString())
            .UseGrpcEndpoint(Sidecar.GrpcEndpoint.ToString());
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        try
        {
            Directory.Delete(ResourcesPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a component is left for the OS's temp cleaner.
        }
    }
}
