using DaprShop.Bench.Cli;
using DaprShop.Bench.Load;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>What every scenario gets: the options, the repository, the measured shop (when there is one) and the console.</summary>
internal sealed class BenchContext(BenchOptions options, string repository, TextWriter log, ShopBackend backend)
{
    public BenchOptions Options { get; } = options;

    public string Repository { get; } = repository;

    /// <summary>The components profile the shops the bench starts run on.</summary>
    public ShopBackend Backend { get; } = backend;

    /// <summary>Progress and messages (stderr); the report goes to stdout.</summary>
    public TextWriter Log { get; } = log;

    public LoadRunner Load { get; } = new(log);

    /// <summary>Tells this run's users and idempotency keys apart from any other's.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The shop the load scenarios measure; null while there is none.</summary>
    public ShopEndpoints? Shop { get; set; }

    /// <summary>Whether the bench started the shop itself (so a scenario may start another for comparison).</summary>
    public bool LaunchesShops { get; set; }

    public ShopEndpoints RequireShop() => Shop ?? throw new InvalidOperationException("no shop to measure");
}
