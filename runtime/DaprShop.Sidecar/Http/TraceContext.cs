using System.Diagnostics;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// A W3C trace context (<c>traceparent</c> and <c>tracestate</c>) as the sidecar passes it on:
/// taken from the caller's headers, or started afresh when the caller sent none.
/// </summary>
public readonly record struct TraceContext(ActivityTraceId TraceId, ActivitySpanId SpanId, ActivityTraceFlags Flags, string? TraceState)
{
    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";

    /// <summary>The source of the sidecar's own spans, for OpenTelemetry listeners.</summary>
    public static ActivitySource Source { get; } = new("DaprShop.Sidecar");

    /// <summary>The <c>traceparent</c> value: <c>00-{trace id}-{span id}-{flags}</c>.</summary>
    public string TraceParent => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-{((Flags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";

    public ActivityContext ToActivityContext() => new(TraceId, SpanId, Flags, TraceState, isRemote: true);

    /// <summary>A new trace, sampled, with no trace state.</summary>
    public static TraceContext NewRoot() =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, null);

    /// <summary>The context of a started activity.</summary>
    public static TraceContext FromActivity(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return new(activity.TraceId, activity.SpanId, activity.ActivityTraceFlags, activity.TraceStateString);
    }

    /// <summary>Parses a <c>traceparent</c> value; null when it is missing or malformed.</summary>
    public static TraceContext? Parse(string? traceParent, string? traceState)
    {
        if (string.IsNullOrWhiteSpace(traceParent)
            || !ActivityContext.TryParse(traceParent.Trim(), string.IsNullOrEmpty(traceState) ? null : traceState, out var parsed))
        {
            return null;
        }

        return new TraceContext(parsed.TraceId, parsed.SpanId, parsed.TraceFlags, parsed.TraceState);
    }

    /// <summary>A child span of this context: same trace, flags and state, a new span id.</summary>
    public TraceContext NewChild() => this with { SpanId = ActivitySpanId.CreateRandom() };

    /// <summary>
    /// Starts the sidecar's span for an operation, child of <paramref name="parent"/> (or of a new
    /// trace). Returns the activity when something listens to <see cref="Source"/>, and in every
    /// case the context to propagate downstream.
    /// </summary>
    public static (Activity? Activity, TraceContext Context) StartSpan(string name, ActivityKind kind, TraceContext? parent)
    {
        var activity = parent is { } p
            ? Source.StartActivity(name, kind, p.ToActivityContext())
            : Source.StartActivity(name, kind);
        if (activity is not null)
        {
            return (activity, FromActivity(activity));
        }

        return (null, parent?.NewChild() ?? NewRoot());
    }
}
