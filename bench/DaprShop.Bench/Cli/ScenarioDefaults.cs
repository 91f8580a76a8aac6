namespace DaprShop.Bench.Cli;

/// <summary>The load a scenario applies when the command line does not say, full or <c>--quick</c>.</summary>
internal sealed record ScenarioDefaults(double Rate, TimeSpan Duration, TimeSpan Warmup)
{
    public static ScenarioDefaults For(string scenario, bool quick) => (scenario, quick) switch
    {
        (ScenarioName.Orders, false) => new(1000, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)),
        (ScenarioName.Orders, true) => new(20, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
        (ScenarioName.Overhead, false) => new(1000, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)),
        (ScenarioName.Overhead, true) => new(200, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),

        // Per phase (payment healthy, then payment down with the breaker open). Below the shop's measured capacity
        // on two cores (about 160 orders/s), so that the phases compare the breaker, not a saturated shop.
        // The warm-up is long enough for a freshly started shop's JIT to settle before the healthy phase.
        (ScenarioName.Breaker, false) => new(100, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(15)),
        (ScenarioName.Breaker, true) => new(20, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
        _ => new(0, TimeSpan.Zero, TimeSpan.Zero),
    };
}
