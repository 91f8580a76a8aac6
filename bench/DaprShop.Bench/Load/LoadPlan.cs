using DaprShop.Bench.Cli;

namespace DaprShop.Bench.Load;

/// <summary>One load phase: unrecorded warm-up, then the measured run, each bounded in time and in requests.</summary>
internal sealed record LoadPlan(LoadModel Model, TimeSpan Warmup, TimeSpan Duration)
{
    /// <summary>A bound on the measured requests, whatever the model (the closed loop has no other).</summary>
    public long MaxRequests { get; init; } = 10_000_000;

    public long MaxWarmupRequests { get; init; } = 10_000_000;

    public string Describe() =>
        $"{Model.Describe()}, {Duration.TotalSeconds:0.#} s measured after {Warmup.TotalSeconds:0.#} s of warm-up";
}
