using HdrHistogram;

namespace DaprShop.Bench.Reporting;

/// <summary>A latency distribution in milliseconds, from an HDR histogram of microseconds.</summary>
internal sealed record LatencySummary(long Count, double MinMs, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double P9999Ms, double MaxMs)
{
    public static LatencySummary? From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return null;
        }

        double At(double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new LatencySummary(
            histogram.TotalCount,
            At(0),
            Math.Round(histogram.GetMean() / 1000.0, 3),
            At(50),
            At(90),
            At(99),
            At(99.9),
            At(99.99),
            histogram.GetMaxValue() / 1000.0);
    }

    /// <summary>The percentile named as the reports name them (50, 90, 99, 99.9, 99.99).</summary>
    public double At(double percentile) => percentile switch
    {
        50 => P50Ms,
        90 => P90Ms,
        99 => P99Ms,
        99.9 => P999Ms,
        99.99 => P9999Ms,
        _ => throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "50, 90, 99, 99.9 or 99.99"),
    };
}
