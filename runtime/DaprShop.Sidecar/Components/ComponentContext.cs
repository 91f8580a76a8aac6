using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// What a component factory may use while it builds a component for one sidecar, <see cref="Time"/> the sidecar's
/// clock for every delay, timer, deadline and time a component reads.
/// </summary>
public sealed record ComponentContext(
    string AppId,
    string BaseDirectory,
    LocalCluster Cluster,
    ILoggerFactory LoggerFactory,
    TimeProvider Time)
{
    /// <summary>A path from component metadata, resolved against the run's base folder when relative.</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
