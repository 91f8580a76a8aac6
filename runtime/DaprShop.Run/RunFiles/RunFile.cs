namespace DaprShop.Run.RunFiles;

/// <summary>
/// A Dapr Multi-App Run file (<c>dapr.yaml</c>, version 1) after parsing and resolution: every
/// path absolute, every app's values merged with <c>common</c> the way the Dapr CLI merges them.
/// </summary>
/// <param name="FilePath">The run file, absolute.</param>
/// <param name="Version">The <c>version</c> field (always 1).</param>
/// <param name="Name">The optional <c>name</c> field.</param>
/// <param name="Apps">The apps, in file order.</param>
/// <param name="IgnoredFields">
/// Fields the Dapr CLI knows but the local runtime does not apply (for example <c>logLevel</c>),
/// as paths such as <c>apps[1].logLevel</c>.
/// </param>
public sealed record RunFile(string FilePath, int Version, string? Name, IReadOnlyList<RunFileApp> Apps, IReadOnlyList<string> IgnoredFields)
{
    /// <summary>The folder of the run file, which relative paths in <c>common</c> and <c>appDirPath</c> resolve against.</summary>
    public string Directory => Path.GetDirectoryName(FilePath)!;
}

/// <summary>One entry of <c>apps</c>, resolved.</summary>
public sealed record RunFileApp
{
    /// <summary><c>appID</c>, or the name of <see cref="AppDirPath"/> when the file leaves it out (as the Dapr CLI does).</summary>
    public required string AppId { get; init; }

    /// <summary><c>appDirPath</c>, absolute: where the command runs and, under the Dapr CLI, daprd's working folder.</summary>
    public required string AppDirPath { get; init; }

    /// <summary><c>command</c>: the program and its arguments; empty for a sidecar without an app.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary><c>appPort</c>, or null when the app listens on no port.</summary>
    public int? AppPort { get; init; }

    /// <summary><c>daprHTTPPort</c>, or null to pick a free one.</summary>
    public int? DaprHttpPort { get; init; }

    /// <summary><c>daprGRPCPort</c>, or null to pick a free one.</summary>
    public int? DaprGrpcPort { get; init; }

    /// <summary><c>metricsPort</c>: only passed on to the app as <c>DAPR_METRICS_PORT</c>.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>
    /// The resources folders, absolute, chosen as the Dapr CLI chooses them: the app's own
    /// <c>resourcesPaths</c>, else <c>appDirPath/.dapr/resources</c> when it exists, else <c>common</c>'s.
    /// </summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    /// <summary>
    /// The Dapr Configuration file, absolute: the app's <c>configFilePath</c>, else
    /// <c>appDirPath/.dapr/config.yaml</c> when it exists, else <c>common</c>'s, else none.
    /// </summary>
    public string? ConfigFilePath { get; init; }

    /// <summary><c>env</c> of <c>common</c> overlaid with the app's own.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>appProtocol</c>, lower case; <c>http</c> unless the file says otherwise.</summary>
    public string AppProtocol { get; init; } = "http";

    /// <summary><c>appChannelAddress</c>: the host the app listens on, when not loopback.</summary>
    public string? AppChannelAddress { get; init; }

    /// <summary><c>appHealthCheckPath</c>: what the runner polls before it calls the app ready (default <c>/healthz</c>).</summary>
    public string? AppHealthCheckPath { get; init; }

    /// <summary>daprd's app health checks (<c>enableAppHealthCheck</c> and its settings), or null when they are off.</summary>
    public Sidecar.AppChannel.AppHealthCheckOptions? AppHealthCheck { get; init; }
}
