namespace DaprShop.Bench.Cli;

/// <summary>The scenarios on the command line, and which of them <c>all</c> runs, in its order.</summary>
internal static class ScenarioName
{
    public const string Orders = "orders";
    public const string Overhead = "overhead";
    public const string Breaker = "breaker";
    public const string Startup = "startup";
    public const string Crash = "crash";
    public const string Capacity = "capacity";
    public const string All = "all";

    /// <summary>
    /// Every scenario in the order <c>all</c> runs them: the breaker after the others, since the orders it leaves
    /// awaiting payment may be retried later; startup last, once the measured shop has stopped.
    /// </summary>
    public static readonly IReadOnlyList<string> Each = [Orders, Overhead, Breaker, Startup];

    /// <summary>
    /// Every scenario a command line may name: those of <c>all</c>, the crash drill, which <c>all</c> leaves out
    /// (it checks the shop rather than measures it, kills the shop it runs on, and takes minutes per profile), and
    /// capacity (several minutes of load in phases).
    /// </summary>
    public static readonly IReadOnlyList<string> Known = [.. Each, Crash, Capacity];

    public static IReadOnlyList<string> Expand(string scenario) => scenario == All ? Each : [scenario];
}
