using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// Go's <c>time.ParseDuration</c> syntax, which every duration in Dapr YAML uses:
/// a sequence of decimal numbers with units <c>ns</c>, <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>,
/// <c>m</c>, <c>h</c> (for example <c>1h30m</c>, <c>1.5s</c>, <c>-2m</c>), or <c>0</c>.
/// </summary>
public static partial class GoDuration
{
    [GeneratedRegex(@"\G(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var sign = 1.0;
        if (s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1.0 : 1.0;
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        double ticks = 0;
        var position = 0;
        while (position < s.Length)
        {
            var match = Part().Match(s, position);
            if (!match.Success)
            {
                return false;
            }

            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups[2].Value switch
            {
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000.0,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMillisecond / 1_000.0,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            position += match.Length;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(sign * ticks));
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a Go duration");

    /// <summary>Formats as Go's <c>Duration.String()</c> would for whole milliseconds and up (<c>1m30s</c>, <c>250ms</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1) && duration > TimeSpan.FromSeconds(-1))
        {
            return $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var text = duration < TimeSpan.Zero ? "-" : string.Empty;
        var d = duration.Duration();
        if (d.TotalHours >= 1)
        {
            text += $"{(int)d.TotalHours}h";
        }

        if (d.TotalMinutes >= 1)
        {
            text += $"{d.Minutes}m";
        }

        var seconds = d.Seconds + (d.Milliseconds / 1000.0);
        return text + $"{seconds.ToString(CultureInfo.InvariantCulture)}s";
    }
}
