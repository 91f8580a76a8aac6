using DaprShop.Sidecar.Invocation;

namespace DaprShop.Sidecar;

/// <summary>
/// How one sidecar is configured: the same knobs as daprd's command line
/// (<c>--app-id</c>, <c>--app-port</c>, <c>--dapr-http-port</c>, <c>--dapr-grpc-port</c>,
/// <c>--resources-path</c>, <c>--config</c>) and its token environment variables.
/// </summary>
public sealed record SidecarOptions
{
    /// <summary>The app id (daprd <c>--app-id</c>).</summary>
    public required string AppId { get; init; }

    /// <summary>The port the app listens on, or null for an app without a port (daprd <c>--app-port</c>).</summary>
    public int? AppPort { get; init; }

    /// <summary>The host the app listens on (daprd <c>--app-channel-address</c>).</summary>
    public string AppHost { get; init; } = "127.0.0.1";

    /// <summary>The sidecar's HTTP API port; 0 picks a free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>The sidecar's gRPC API port (HTTP/2 without TLS); 0 picks a free one.</summary>
    public int GrpcPort { get; init; }

    /// <summary>Folders whose YAML files declare components, resiliency policies and subscriptions.</summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    /// <summary>A Dapr <c>Configuration</c> file (tracing, access control), or null for the defaults.</summary>
    public string? ConfigFilePath { get; init; }

    /// <summary>
    /// When set, every API call but the health endpoints must carry it in the <c>dapr-api-token</c>
    /// header or gRPC metadata (daprd's <c>DAPR_API_TOKEN</c>).
    /// </summary>
    public string? DaprApiToken { get; init; }

    /// <summary>
    /// When set, the sidecar sends it to the app in the <c>dapr-api-token</c> header on every call
    /// (daprd's <c>APP_API_TOKEN</c>).
    /// </summary>
    public string? AppApiToken { get; init; }

    /// <summary>
    /// How the app is served (daprd's <c>--app-protocol</c>): <c>http</c>, or <c>grpc</c> for an app that serves gRPC
    /// over h2c on its port, which the sidecar's gRPC proxying reaches (a call with <c>dapr-app-id</c> metadata).
    /// </summary>
    public string AppProtocol { get; init; } = HttpAppProtocol;

    public const string HttpAppProtocol = "http";

    public const string GrpcAppProtocol = "grpc";

    /// <summary>Whether the app is served over gRPC (<see cref="AppProtocol"/> <c>grpc</c>).</summary>
    public bool AppServesGrpc => string.Equals(AppProtocol, GrpcAppProtocol, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Sidecars prove who they are to each other (daprd's <c>--enable-mtls</c>, with certificates from Sentry): the
    /// callee's access control then knows the calling app's SPIFFE id and applies its policy. Without it, as under
    /// <c>dapr run</c> without Sentry, a callee does not know its caller and the Configuration's global default action
    /// decides every call from another app. Both sidecars of a call must have it on for the caller to be known.
    /// </summary>
    public bool EnableMtls { get; init; }

    /// <summary>The namespace the app runs in (daprd's <c>NAMESPACE</c> variable), part of its SPIFFE id under mTLS.</summary>
    public string Namespace { get; init; } = CallerIdentity.DefaultNamespace;

    /// <summary>The folder relative paths in component metadata are resolved against.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// App health checks (daprd <c>--enable-app-health-check</c>), or null for none: then the app counts as healthy once
    /// its port is open. With them, subscriptions start once a probe finds the app healthy, stop while it is unhealthy,
    /// and service invocation of the app fails meanwhile (<see cref="AppChannel.AppHealthMonitor"/>).
    /// </summary>
    public AppChannel.AppHealthCheckOptions? AppHealthCheck { get; init; }

    /// <summary>
    /// Component types beyond the built-in ones (type name and factory; each accepts version <c>v1</c>), as daprd takes
    /// pluggable components: an embedding host or a test brings its own broker or store here.
    /// </summary>
    public IReadOnlyDictionary<string, Components.ComponentFactory> ComponentTypes { get; init; } = new Dictionary<string, Components.ComponentFactory>();

    /// <summary>How long the sidecar waits for the app's port before it reports the app unreachable.</summary>
    public TimeSpan AppReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a committed transactional-outbox message waits before its first publish attempt
    /// (default none). Not a daprd setting: tests use it to stop a sidecar between the commit and
    /// the publish, as a crash would.
    /// </summary>
    public TimeSpan OutboxPublishDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The sidecar's one clock: every time it reads, every delay, timer and deadline of its building blocks and
    /// components. Tests put a fake clock here to move time on instead of waiting for it.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
