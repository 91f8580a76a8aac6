using System.Globalization;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// A timer's or reminder's <c>period</c>: a Go duration (<c>500ms</c>, <c>1h30m</c>) or an ISO 8601
/// duration with an optional repetition count (<c>PT10S</c>, <c>P1DT2H</c>, <c>R5/PT10S</c>), as
/// dapr/kit's <c>time.ParseDuration</c> reads it. Years, months and days are calendar steps.
/// <see cref="Repetitions"/> is -1 for no limit.
/// </summary>
public readonly record struct ActorPeriod(string Text, int Years, int Months, int Days, TimeSpan Duration, int Repetitions)
{
    public static ActorPeriod None { get; } = new(string.Empty, 0, 0, 0, TimeSpan.Zero, -1);

    /// <summary>Whether another invocation follows: repetitions left and a non-zero step (daprd's <c>HasRepeats</c>).</summary>
    public bool Recurs => Repetitions != 0 && (Years != 0 || Months != 0 || Days != 0 || Duration != TimeSpan.Zero);

    /// <summary>The time one period after <paramref name="time"/>.</summary>
    public DateTimeOffset Following(DateTimeOffset time) => time.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Duration);
}

/// <summary>
/// The time formats of the actor timer and reminder APIs, confirmed against dapr/dapr
/// <c>pkg/actors/api/reminders.go</c> (<c>setReminderTimes</c>), <c>pkg/actors/api/period.go</c> and
/// dapr/kit <c>time/time.go</c>: <c>dueTime</c> and <c>ttl</c> are an ISO 8601 duration without
/// repetitions, a Go duration (both added to a reference time: now for <c>dueTime</c>, the first due
/// time for <c>ttl</c>) or an RFC 3339 time; <c>period</c> is an <see cref="ActorPeriod"/>, and zero
/// repetitions is an error.
/// </summary>
public static class ActorTimeFormats
{
    /// <summary>Parses a period; empty means none. Errors carry daprd's wording.</summary>
    public static ActorPeriod ParsePeriod(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ActorPeriod.None;
        }

        ActorPeriod period;
        if (TryParseIso8601(text, out var years, out var months, out var days, out var duration, out var repetitions))
        {
            period = new ActorPeriod(text, years, months, days, duration, repetitions);
        }
        else if (GoDuration.TryParse(text, out var goDuration) && text.Trim() == text)
        {
            period = new ActorPeriod(text, 0, 0, 0, goDuration, -1);
        }
        else
        {
            throw new FormatException($"parse error: unsupported duration format: {text}");
        }

        return period.Repetitions == 0 ? throw new FormatException("has zero repetitions") : period;
    }

    /// <summary>An absolute time, or a duration added to <paramref name="offset"/>.</summary>
    public static DateTimeOffset ParseTime(string text, DateTimeOffset offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParseIso8601(text, out var years, out var months, out var days, out var duration, out var repetitions))
        {
            return repetitions != -1
                ? throw new FormatException("repetitions are not allowed")
                : offset.AddYears(years).AddMonths(months).AddDays(days).Add(duration);
        }

        if (GoDuration.TryParse(text, out var goDuration) && text.Trim() == text)
        {
            return offset.Add(goDuration);
        }

        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }

        throw new FormatException($"unsupported time/duration format: {text}");
    }

    /// <summary>Go's <c>time.RFC3339Nano</c> in UTC: fractional seconds without trailing zeros.</summary>
    public static string FormatRfc3339Nano(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// ISO 8601 durations as dapr/kit reads them: an optional <c>R{n}/</c>, then <c>P</c>, date parts
    /// <c>Y</c>, <c>M</c>, <c>W</c>, <c>D</c> and after <c>T</c> time parts <c>H</c>, <c>M</c>,
    /// <c>S</c>, each a whole number. <c>R{n}/</c> alone is a repetition count with no period.
    /// </summary>
    private static bool TryParseIso8601(string text, out int years, out int months, out int days, out TimeSpan duration, out int repetitions)
    {
        years = months = days = 0;
        duration = TimeSpan.Zero;
        repetitions = -1;
        if (text.Length < 2)
        {
            return false;
        }

        var i = 0;
        if (text[0] == 'R')
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var end = slash < 0 ? text.Length : slash;
            if (end < 2 || !int.TryParse(text.AsSpan(1, end - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out repetitions))
            {
                return false;
            }

            i = end + 1;
            if (i >= text.Length)
            {
                return true;
            }
        }

        if (text[i] != 'P')
        {
            return false;
        }

        i++;
        var start = i;
        var inTime = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == 'T')
            {
                if (start != i)
                {
                    return false;
                }

                inTime = true;
                start = i + 1;
                continue;
            }

            if (c is not ('Y' or 'W' or 'D' or 'H' or 'S' or 'M'))
            {
                continue;
            }

            if (start == i || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            switch (c)
            {
                case 'Y' when !inTime:
                    years = number;
                    break;
                case 'W' when !inTime:
                    days += number * 7;
                    break;
                case 'D' when !inTime:
                    days += number;
                    break;
                case 'M' when !inTime:
                    months = number;
                    break;
                case 'H' when inTime:
                    duration += TimeSpan.FromHours(number);
                    break;
                case 'M':
                    duration += TimeSpan.FromMinutes(number);
                    break;
                case 'S' when inTime:
                    duration += TimeSpan.FromSeconds(number);
                    break;
                default:
                    return false;
            }

            start = i + 1;
        }

        return true;
    }
}
