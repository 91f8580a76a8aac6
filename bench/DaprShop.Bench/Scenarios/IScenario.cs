using DaprShop.Bench.Reporting;

namespace DaprShop.Bench.Scenarios;

/// <summary>One measurement the bench can make.</summary>
internal interface IScenario
{
    string Name { get; }

    string Title { get; }

    /// <summary>Whether it measures the shop the bench started or attached to (startup starts its own).</summary>
    bool NeedsShop { get; }

    Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken);
}
