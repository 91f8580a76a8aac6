using DaprShop.Bench.Cli;

namespace DaprShop.Bench.Scenarios;

/// <summary>The scenarios a command line names, in the order they run.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> For(string scenario) =>
        [.. ScenarioName.Expand(scenario).Select(Create)];

    private static IScenario Create(string name) => name switch
    {
        ScenarioName.Orders => new OrdersScenario(),
        ScenarioName.Overhead => new OverheadScenario(),
        ScenarioName.Breaker => new BreakerScenario(),
        ScenarioName.Startup => new StartupScenario(),
        ScenarioName.Crash => new CrashScenario(),
        ScenarioName.Capacity => new CapacityScenario(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown scenario"),
    };
}
