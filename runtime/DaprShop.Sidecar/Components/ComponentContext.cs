using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Components;

/// <summary>What a component factory may use while it builds a component for one sidecar.</summary>
public sealed record ComponentContext(
    string AppId,
    string BaseDirectory,
    LocalCluster Cluster,
    ILoggerFactory LoggerFactory)
{
    /// <summary>A path from component metadata, resolved against the run's base folder when relative.</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
