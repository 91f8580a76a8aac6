using DaprShop.Bench.Load;

namespace DaprShop.Bench.Reporting;

/// <summary>One measured series of a report: throughput, latency, outcomes and the curve for the chart.</summary>
/// <param name="Name">The series as the tables and the chart name it.</param>
/// <param name="Requests">Requests answered (or failed) in the measured phase.</param>
/// <param name="Throughput">Requests per second over the phase, drain included.</param>
/// <param name="Errors">Requests that failed or got an unexpected status.</param>
/// <param name="NotSent">Requests that fell due but were never sent before the open model's end.</param>
/// <param name="Latency">From the intended send time (the open model's schedule; the actual send time in a closed loop).</param>
/// <param name="ServiceTime">From the actual send time: what latency would be without the coordinated-omission correction.</param>
/// <param name="Outcomes">Requests by HTTP status or exception type.</param>
/// <param name="ErrorExamples">For each kind of error, what the first one said.</param>
/// <param name="Curve">Latency by percentile, p50 to p99.99.</param>
internal sealed record SeriesResult(
    string Name,
    long Requests,
    double Throughput,
    long Errors,
    long NotSent,
    LatencySummary? Latency,
    LatencySummary? ServiceTime,
    IReadOnlyDictionary<string, long> Outcomes,
    IReadOnlyDictionary<string, string> ErrorExamples,
    IReadOnlyList<CurvePoint> Curve)
{
    public static SeriesResult From(SeriesRecorder series, LoadResult phase, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(phase);
        var seconds = phase.Elapsed.TotalSeconds;
        return new SeriesResult(
            name ?? series.Name,
            series.Requests,
            seconds > 0 ? Math.Round(series.Requests / seconds, 2) : 0,
            series.Errors,
            series.NotSent,
            LatencySummary.From(series.Latency),
            LatencySummary.From(series.ServiceTime),
            new SortedDictionary<string, long>(series.Outcomes.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, string>(series.ErrorExamples.ToDictionary(), StringComparer.Ordinal),
            CurvePoint.From(series.Latency));
    }
}
