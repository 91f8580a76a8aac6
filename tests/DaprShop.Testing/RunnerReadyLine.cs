namespace DaprShop.Testing;

/// <summary>
/// The runner's ready line as whoever starts the runner reads it: <c>DaprShop is ready: URL</c>, or
/// <c>DaprShop is ready (profile NAME): URL</c> when the run uses a profile, either followed by
/// <c> (dashboard: URL)</c> when the dashboard runs (written by <c>ShopRunner.ReadyLine</c> in runtime/DaprShop.Run).
/// </summary>
public static class RunnerReadyLine
{
    /// <summary>What every ready line starts with.</summary>
    public const string Start = "DaprShop is ready";

    private const string DashboardMark = "(dashboard: ";

    /// <summary>The dashboard's URL the ready line names, or null when it names none or <paramref name="line"/> is not the ready line.</summary>
    public static Uri? TryReadDashboard(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (TryRead(line) is null)
        {
            return null;
        }

        var start = line.IndexOf(DashboardMark, StringComparison.Ordinal);
        var end = start < 0 ? -1 : line.IndexOf(')', start);
        return end > start && Uri.TryCreate(line[(start + DashboardMark.Length)..end], UriKind.Absolute, out var url) ? url : null;
    }

    /// <summary>The shop's URL the ready line names (after the first <c>": "</c>, up to a space), or null when <paramref name="line"/> is not the ready line.</summary>
    public static Uri? TryRead(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var start = line.IndexOf(Start, StringComparison.Ordinal);
        var colon = start < 0 ? -1 : line.IndexOf(": ", start + Start.Length, StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var rest = line[(colon + 2)..].Trim();
        var end = rest.IndexOf(' ', StringComparison.Ordinal);
        return Uri.TryCreate(end < 0 ? rest : rest[..end], UriKind.Absolute, out var url) ? url : null;
    }
}
