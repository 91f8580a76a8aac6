using System.Text.Json;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// When a reminder or timer fires: first at <see cref="FirstDue"/>, then every
/// <see cref="Period"/> while repetitions are left and <see cref="Expiration"/> has not come, as
/// daprd's <c>setReminderTimes</c>, <c>NextTick</c> and <c>TickExecuted</c> compute it
/// (dapr/dapr <c>pkg/actors/api/reminders.go</c>, <c>pkg/actors/api/reminder.go</c>).
/// </summary>
public sealed record ActorSchedule(DateTimeOffset FirstDue, ActorPeriod Period, DateTimeOffset? Expiration)
{
    /// <summary>
    /// Reads <c>dueTime</c> (empty: now), <c>period</c> and <c>ttl</c> (after the first due time).
    /// <paramref name="kind"/> is <c>reminder</c> or <c>timer</c>, as in daprd's messages.
    /// </summary>
    /// <exception cref="FormatException">A value does not parse, or the TTL has already passed (daprd's wording).</exception>
    public static ActorSchedule Parse(string kind, string key, string? dueTime, string? period, string? ttl, DateTimeOffset now)
    {
        var due = now;
        if (!string.IsNullOrEmpty(dueTime))
        {
            try
            {
                due = ActorTimeFormats.ParseTime(dueTime, now);
            }
            catch (FormatException e)
            {
                throw new FormatException($"error parsing {kind} due time: {e.Message}", e);
            }
        }

        ActorPeriod parsedPeriod;
        try
        {
            parsedPeriod = ActorTimeFormats.ParsePeriod(period);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid {kind} period: {e.Message}", e);
        }

        DateTimeOffset? expiration = null;
        if (!string.IsNullOrEmpty(ttl))
        {
            try
            {
                expiration = ActorTimeFormats.ParseTime(ttl, due);
            }
            catch (FormatException e)
            {
                throw new FormatException($"error parsing {kind} TTL: {e.Message}", e);
            }

            if (now > expiration || due > expiration)
            {
                throw new FormatException($"{kind} {key} has already expired: dueTime: {ActorTimeFormats.FormatRfc3339Nano(due)} TTL: {ttl}");
            }
        }

        return new ActorSchedule(due, parsedPeriod, expiration);
    }

    /// <summary>
    /// The next due time after a run that was due at <paramref name="due"/>, or null when the
    /// schedule is done (no period, no repetitions left, or past its expiry). Runs missed while the
    /// actor was busy or the sidecar was down are not made up: the next one is a period after now.
    /// </summary>
    public static DateTimeOffset? Next(ActorPeriod period, DateTimeOffset? expiration, DateTimeOffset due, DateTimeOffset now, ref int repetitionsLeft)
    {
        if (repetitionsLeft > 0)
        {
            repetitionsLeft--;
        }

        if (!(period with { Repetitions = repetitionsLeft }).Recurs)
        {
            return null;
        }

        var next = period.Following(due);
        if (next <= now)
        {
            next = period.Following(now);
        }

        return expiration is { } expiry && next >= expiry ? null : next;
    }

    /// <summary>
    /// The body daprd sends to <c>PUT actors/{type}/{id}/method/remind/{name}</c>: <c>data</c> as it
    /// was registered, <c>dueTime</c> and <c>period</c> as the caller wrote them
    /// (<c>api.ReminderResponse</c>, dapr/dapr <c>pkg/actors/api/api.go</c>).
    /// </summary>
    public static byte[] ReminderBody(JsonElement? data, string dueTime, string period)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("data");
            WriteData(writer, data);
            writer.WriteString("dueTime", dueTime);
            writer.WriteString("period", period);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The body daprd sends to <c>PUT actors/{type}/{id}/method/timer/{name}</c>:
    /// <c>data</c> (left out when none), <c>callback</c>, <c>dueTime</c>, <c>period</c>
    /// (<c>api.TimerResponse</c>).
    /// </summary>
    public static byte[] TimerBody(JsonElement? data, string callback, string dueTime, string period)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined })
            {
                writer.WritePropertyName("data");
                WriteData(writer, data);
            }

            writer.WriteString("callback", callback);
            writer.WriteString("dueTime", dueTime);
            writer.WriteString("period", period);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteData(Utf8JsonWriter writer, JsonElement? data)
    {
        if (data is { ValueKind: not JsonValueKind.Undefined } value)
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
