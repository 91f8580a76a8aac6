using HdrHistogram;

namespace DaprShop.Bench.Load;

/// <summary>What one measured phase recorded.</summary>
/// <param name="Plan">The load that was offered.</param>
/// <param name="Series">Each series' histograms and outcomes.</param>
/// <param name="SendLag">How late requests left against their schedule (open model).</param>
/// <param name="Elapsed">From the first request to the last answer.</param>
/// <param name="HitRequestBound">Whether the phase stopped at <see cref="LoadPlan.MaxRequests"/> before its duration.</param>
/// <param name="BenchCpu">CPU time the bench process used meanwhile (it shares the machine with the shop).</param>
internal sealed record LoadResult(LoadPlan Plan, IReadOnlyList<SeriesRecorder> Series, HistogramBase SendLag, TimeSpan Elapsed, bool HitRequestBound, TimeSpan BenchCpu)
{
    /// <summary>CPU time each of the shop's processes used while measuring (null when the bench did not start the shop).</summary>
    public IReadOnlyDictionary<string, Shop.CpuTime>? ShopCpu { get; init; }

    /// <summary>Context switches on the whole machine while measuring, the bench's own included (null off Linux).</summary>
    public long? ContextSwitches { get; init; }

    /// <summary>The load offered, and what the load generator itself cost.</summary>
    public string Describe() =>
        $"{Plan.Describe()}; the load generator used {100 * BenchCpu / Elapsed:0}% of one core meanwhile";
}
