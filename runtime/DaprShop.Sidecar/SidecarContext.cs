using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Configuration;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar;

/// <summary>
/// What every building block of one sidecar shares: its options, its clock, its components, the
/// channel to its app, its configuration and the cluster it runs in. One per sidecar, registered in
/// its DI container.
/// </summary>
public sealed class SidecarContext(
    SidecarOptions options,
    LocalCluster cluster,
    ComponentRegistry components,
    IReadOnlyList<ResourceDocument> resources,
    DaprConfiguration configuration,
    AppChannelClient app,
    ILoggerFactory loggerFactory)
{
    public SidecarOptions Options { get; } = options;

    public string AppId => Options.AppId;

    /// <summary>The sidecar's one clock (<see cref="SidecarOptions.Time"/>), also registered in its DI container.</summary>
    public TimeProvider Time => Options.Time;

    public LocalCluster Cluster { get; } = cluster;

    public ComponentRegistry Components { get; } = components;

    /// <summary>Every resource document that applies to this app (components, resiliency, subscriptions).</summary>
    public IReadOnlyList<ResourceDocument> Resources { get; } = resources;

    public DaprConfiguration Configuration { get; } = configuration;

    public AppChannelClient App { get; } = app;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
