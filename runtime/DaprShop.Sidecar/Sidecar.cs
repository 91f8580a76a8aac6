using System.Net;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Configuration;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Invocation;
using DaprShop.Sidecar.Resiliency;
using DaprShop.Sidecar.Security;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprShop.Sidecar;

/// <summary>
/// One local sidecar: daprd's HTTP and gRPC APIs for one app, on loopback. Start it with
/// <see cref="StartAsync"/>; it loads and validates every resource first, so a bad component
/// file stops it before it listens, with a <see cref="ResourceLoadException"/> naming the file and
/// the field.
/// </summary>
public sealed class Sidecar : IAsyncDisposable
{
    private readonly WebApplication _host;
    private readonly LocalCluster _cluster;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Task _appReady = Task.CompletedTask;
    private Task _healthProbes = Task.CompletedTask;
    private int _disposed;

    private Sidecar(WebApplication host, SidecarContext context, LocalCluster cluster, ILogger logger)
    {
        _host = host;
        Context = context;
        _cluster = cluster;
        _logger = logger;
    }

    public string AppId => Context.AppId;

    /// <summary>Everything the building blocks of this sidecar share.</summary>
    public SidecarContext Context { get; }

    /// <summary>The HTTP API's port (the one chosen when the options said 0).</summary>
    public int HttpPort { get; private set; }

    /// <summary>The gRPC API's port (the one chosen when the options said 0).</summary>
    public int GrpcPort { get; private set; }

    /// <summary>
    /// The instance's address among the instances of its app, as daprd names a host to placement: its host and port
    /// (daprd uses its internal gRPC port; this sidecar has none, so its API's gRPC port stands in).
    /// </summary>
    public string InstanceName => $"127.0.0.1:{GrpcPort}";

    public Uri HttpEndpoint => new($"http://127.0.0.1:{HttpPort}");

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort}");

    /// <summary>The services of this sidecar, for building blocks and tests.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Completes when the app's port is open (with app health checks: once a probe found the app healthy) and the
    /// building blocks have read its configuration.
    /// </summary>
    public Task AppReady => _appReady;

    /// <summary>
    /// Loads the resources, starts the HTTP and gRPC servers on loopback, registers the sidecar in
    /// the cluster, then waits in the background for the app's port to open.
    /// </summary>
    public static async Task<Sidecar> StartAsync(
        SidecarOptions options,
        LocalCluster cluster,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cluster);
        if (options.AppHealthCheck?.Problem is { } problem)
        {
            throw new ArgumentException($"app health checks of '{options.AppId}': {problem}", nameof(options));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger($"daprd.{options.AppId}");

        var configuration = options.ConfigFilePath is null ? DaprConfiguration.Default : DaprConfiguration.Load(options.ConfigFilePath);
        var resources = ResourceLoader.Load(options.ResourcesPaths, options.AppId);
        var resiliency = ResiliencySpec.Load(resources, logger);
        var componentContext = new ComponentContext(options.AppId, options.BaseDirectory, cluster, loggerFactory, options.Time);
        var catalog = ComponentCatalog.CreateDefault();
        foreach (var (type, factory) in options.ComponentTypes)
        {
            catalog.Register(type, factory);
        }

        var components = await ComponentRegistry.LoadAsync(resources, catalog, componentContext, cancellationToken);

        var app = new AppChannelClient(options, logger);
        var context = new SidecarContext(options, cluster, components, resources, configuration, app, loggerFactory);
        WebApplication? host = null;
        try
        {
            host = BuildHost(options, context, resiliency, loggerFactory);
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // Whatever stopped the start (a taken port, a building block refusing its resources),
            // nothing of the half-started sidecar is left listening or holding files.
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            await components.DisposeAsync();
            app.Dispose();
            if (e is IOException || e.InnerException is IOException)
            {
                throw new IOException($"sidecar for '{options.AppId}' could not listen on port {options.HttpPort} or {options.GrpcPort}: {e.Message}", e);
            }

            throw;
        }

        var sidecar = new Sidecar(host, context, cluster, logger);
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port)
            .ToList();
        sidecar.HttpPort = options.HttpPort != 0 ? options.HttpPort : addresses[0];
        sidecar.GrpcPort = options.GrpcPort != 0 ? options.GrpcPort : addresses[1];
        cluster.Register(sidecar);
        foreach (var component in components.Specs)
        {
            logger.LogInformation("Component loaded: {Name} ({Type}/{Version})", component.Name, component.Type, component.Version);
        }

        logger.LogInformation("Dapr sidecar for {AppId} listening: HTTP {HttpPort}, gRPC {GrpcPort}", options.AppId, sidecar.HttpPort, sidecar.GrpcPort);
        sidecar._appReady = sidecar.RunAppReadyAsync();
        return sidecar;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _cluster.Unregister(this);
        await _stopping.CancelAsync();
        try
        {
            await _appReady;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Stopping before the app came up is normal.
        }

        try
        {
            await _healthProbes;
        }
        catch (OperationCanceledException)
        {
            // The probes stop with the sidecar.
        }

        await _host.StopAsync(TimeSpan.FromSeconds(5));
        await _host.DisposeAsync();
        await Context.Components.DisposeAsync();
        Context.App.Dispose();
        _stopping.Dispose();
    }

    private static WebApplication BuildHost(SidecarOptions options, SidecarContext context, ResiliencySpec resiliency, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ApplicationName = $"daprd-{options.AppId}",
            // The sidecar reads no appsettings file. Without this the default host watches its content root (the
            // runner's working directory, where the SQLite file and the notification files live) recursively for a
            // change to appsettings.json: one inotify watcher per sidecar woke on every state commit (profiled: the
            // watcher threads took about 5 % of the CPU under load).
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            // daprd's HTTP API is HTTP/1.1; without TLS Kestrel cannot offer HTTP/2 beside it anyway.
            kestrel.Listen(IPAddress.Loopback, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);

            // gRPC without TLS needs an HTTP/2-only endpoint (prior knowledge, h2c).
            kestrel.Listen(IPAddress.Loopback, options.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(context.Time);
        builder.Services.AddSingleton(context.Components);
        builder.Services.AddSingleton(context.App);
        builder.Services.AddSingleton(context.Configuration);
        builder.Services.AddSingleton(resiliency);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ApiTokenInterceptor>();
            grpc.Interceptors.Add<DaprApiExceptionInterceptor>();
            grpc.MaxReceiveMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton<IServiceMethodProvider<DaprGrpcService>, DaprGrpcServiceMethodProvider>();
        BuildingBlocks.AddServices(builder.Services);

        var host = builder.Build();
        host.UseMiddleware<PathNormalizationMiddleware>();
        host.UseMiddleware<ApiTokenMiddleware>();
        host.UseMiddleware<GrpcProxyMiddleware>();
        host.UseMiddleware<ApiTracingMiddleware>();
        host.UseRouting();
        BuildingBlocks.MapHttpApis(host);
        host.MapGrpcService<DaprGrpcService>();
        return host;
    }

    private async Task RunAppReadyAsync()
    {
        var token = _stopping.Token;
        try
        {
            await Context.App.WaitForAppAsync(token);
            var health = _host.Services.GetRequiredService<AppHealthMonitor>();
            if (!health.Enabled)
            {
                await RunAppReadyListenersAsync(token);
                return;
            }

            // As daprd with app health checks: the app's configuration is read and its subscriptions start once a probe
            // finds it healthy (a building block that fails then is logged, and the rest go on, as daprd warns and goes
            // on); later changes stop and restart what depends on the app's health.
            var firstHealthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _healthProbes = health.RunAsync(
                async (healthy, ct) =>
                {
                    if (!firstHealthy.Task.IsCompleted)
                    {
                        await RunAppReadyListenersAsync(ct, logFailures: true);
                        firstHealthy.TrySetResult();
                        return;
                    }

                    foreach (var listener in _host.Services.GetServices<IAppHealthListener>())
                    {
                        try
                        {
                            await listener.OnAppHealthChangedAsync(healthy, ct);
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                        {
                            _logger.LogError(e, "Sidecar for {AppId} could not act on the app's health", AppId);
                        }
                    }
                },
                token);
            await Task.WhenAny(firstHealthy.Task, _healthProbes);
            if (!firstHealthy.Task.IsCompleted)
            {
                await _healthProbes;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Sidecar for {AppId} could not finish initialising with its app", AppId);
            throw;
        }
    }

    /// <summary>Runs each building block's app-ready work in turn; with <paramref name="logFailures"/> a failure is logged and the rest go on.</summary>
    private async Task RunAppReadyListenersAsync(CancellationToken cancellationToken, bool logFailures = false)
    {
        foreach (var listener in _host.Services.GetServices<IAppReadyListener>())
        {
            try
            {
                await listener.OnAppReadyAsync(cancellationToken);
            }
            catch (Exception e) when (logFailures && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                _logger.LogWarning(e, "Failed to complete the initialisation of {AppId} with its app", AppId);
            }
        }
    }
}
