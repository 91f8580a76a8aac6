using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprShop.Testing;

/// <summary>
/// The runner's line for each app it starts (again): <c>[run] Started order-service (pid 1234)</c>, or
/// <c>Started order-service#2 (pid 1234)</c> for an instance of an app run with <c>--replicas</c> (written by
/// <c>ShopRunner</c> in runtime/DaprShop.Run), read by whoever must kill one app of a running shop.
/// </summary>
public static partial class RunnerStartedLine
{
    /// <summary>The app id (or instance name) and pid the line names, or null when <paramref name="line"/> is not such a line.</summary>
    public static (string AppId, int Pid)? TryRead(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Pattern().Match(line) is { Success: true } started
            ? (started.Groups["app"].Value, int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture))
            : null;
    }

    [GeneratedRegex(@"Started (?<app>[a-z0-9-]+(#[0-9]+)?) \(pid (?<pid>[0-9]+)\)")]
    private static partial Regex Pattern();
}
