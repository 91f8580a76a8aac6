using System.Diagnostics;
using HdrHistogram;

namespace DaprShop.Bench.Load;

/// <summary>The HDR histograms the bench records latencies in: microseconds, 1 µs to 1 hour, 3 significant digits.</summary>
internal static class Histograms
{
    public const long HighestMicros = 3_600_000_000;

    /// <summary>For one reader (the bench's totals).</summary>
    public static HistogramBase Create() =>
        HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(HighestMicros).WithPrecisionOf(3).Create();

    /// <summary>For many writers at once, read by interval (<see cref="Recorder.GetIntervalHistogram()"/>).</summary>
    public static Recorder CreateRecorder() =>
        HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(HighestMicros).WithPrecisionOf(3)
            .WithThreadSafeWrites().WithThreadSafeReads().Create();

    /// <summary>Stopwatch ticks as whole microseconds, within the histograms' range.</summary>
    public static long Micros(long stopwatchTicks) =>
        Math.Clamp((long)Math.Round(stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency), 1, HighestMicros);
}
