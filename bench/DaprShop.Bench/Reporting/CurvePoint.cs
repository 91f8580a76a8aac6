using System.Text.Json.Serialization;
using HdrHistogram;

namespace DaprShop.Bench.Reporting;

/// <summary>One point of a latency-by-percentile curve, for the chart.</summary>
internal sealed record CurvePoint(double Percentile, double Millis)
{
    /// <summary>The x axis runs from p50 to p99.99 in equal steps of "nines": x = log10(100 / (100 - p)).</summary>
    public const double FirstNines = 0.30103;

    public const double LastNines = 4;

    private const double Step = 0.02;

    [JsonIgnore]
    public double Nines => Math.Log10(100 / (100 - Percentile));

    /// <summary>
    /// The curve from p50 up to the highest percentile the sample count can tell apart from the maximum
    /// (p99.99 needs at least 10,000 values): past it, the curve would only repeat the maximum.
    /// </summary>
    public static IReadOnlyList<CurvePoint> From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return [];
        }

        var last = Math.Min(LastNines, Math.Max(FirstNines, Math.Log10(histogram.TotalCount)));
        var points = new List<CurvePoint>();
        for (var nines = FirstNines; nines < last; nines += Step)
        {
            points.Add(At(histogram, nines));
        }

        points.Add(At(histogram, last));
        return points;
    }

    private static CurvePoint At(HistogramBase histogram, double nines)
    {
        var percentile = Math.Round(100 - (100 / Math.Pow(10, nines)), 4);
        return new CurvePoint(percentile, histogram.GetValueAtPercentile(percentile) / 1000.0);
    }
}
