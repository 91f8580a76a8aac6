using System.Diagnostics;
using System.Globalization;
using DaprShop.Bench.Cli;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;
using DaprShop.Testing.Drills;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// The crash drill (<see cref="CrashDrill"/>, which the end-to-end tests run for a few rounds) for as many rounds, or as
/// long, as asked, on a shop of its own: the shop is started for the drill (<see cref="ShopVariant.CrashDrill"/>), each
/// round kills one of its processes outright in the middle of a burst of orders, and what the drill found is the
/// result. Any violation fails the run.
/// </summary>
internal sealed class CrashScenario : IScenario
{
    private const int DefaultRounds = 10;
    private const int QuickRounds = 5;
    private const int DefaultOrders = 24;
    private const int QuickOrders = 12;

    public string Name => ScenarioName.Crash;

    public string Title => "processes killed outright during bursts of orders, then DESIGN.md's crash invariants checked";

    /// <summary>No: it starts a shop of its own, one whose processes it may kill.</summary>
    public bool NeedsShop => false;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var log = context.Log;
        var profile = context.Backend.Profile;
        var drillOptions = new CrashDrillOptions
        {
            Seed = options.Seed ?? throw new InvalidOperationException("the crash scenario runs with a seed (BenchOptions draws one)"),
            Rounds = options.Rounds ?? (options.Duration is not null ? int.MaxValue : options.Quick ? QuickRounds : DefaultRounds),
            OrdersPerRound = options.OrdersPerRound ?? (options.Quick ? QuickOrders : DefaultOrders),
            Duration = options.Duration,
        };
        await log.WriteLineAsync($"crash on {profile}: seed {drillOptions.Seed} (--seed {drillOptions.Seed} replays it), {Describe(drillOptions)}");

        await log.WriteLineAsync("Starting the shop through the runner, every app restarted when it dies...");
        await using var shop = await LaunchedShop.StartAsync(context.Repository, context.Backend, cancellationToken, ShopVariant.CrashDrill);
        await log.WriteLineAsync($"The shop is ready at {shop.Endpoints.Gateway} after {shop.TimeToReady.TotalSeconds:0.0} s.");
        using var drillShop = new CrashDrillShop(shop, profile);
        var started = Stopwatch.StartNew();
        var drill = new CrashDrill(drillShop, drillOptions, line => log.WriteLine($"crash {Elapsed(started.Elapsed)}: {line}"));
        var report = await drill.RunAsync(cancellationToken);
        await log.WriteLineAsync($"crash on {profile}: {report.Rounds} rounds in {Elapsed(started.Elapsed)}, {(report.Passed ? "no violation" : $"{report.Violations.Count} violation(s)")}");
        await log.WriteAsync(report.ToTable());
        if (!report.Passed)
        {
            await log.WriteLineAsync($"The runner's last lines:\n{shop.RunnerTail}");
        }

        await log.WriteLineAsync("Stopping the shop...");
        return Report(report, drillOptions, started.Elapsed, context.Backend);
    }

    private static string Describe(CrashDrillOptions options) =>
        (options.Duration is { } duration
            ? $"rounds until {Elapsed(duration)} has passed{(options.Rounds < int.MaxValue ? $" (at most {options.Rounds})" : "")}"
            : $"{options.Rounds} rounds")
        + $" of {options.OrdersPerRound} orders from {options.Customers} customers, killing in turn {string.Join(", ", options.Targets)}";

    /// <summary>Minutes and seconds (hours too past one), as a soak's progress reads best.</summary>
    private static string Elapsed(TimeSpan elapsed) =>
        elapsed.ToString(elapsed.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    private ScenarioResult Report(CrashDrillReport report, CrashDrillOptions options, TimeSpan took, ShopBackend backend)
    {
        var result = new ScenarioResult(Name, Title)
        {
            Method = "a shop started by the bench for the drill (the runner's Release build with --no-build on a private run file, "
                + $"{backend.Describe()}; --restart-on-exit for all four apps; order-service retrying a deferred payment after 1 s, doubling up to 4 s, "
                + "with a 10-minute payment window"
                + (backend.Profile == "embedded" ? "). " : "; Redis Streams redelivering a message a dead sidecar never acknowledged after 3 s, checked every 1 s). ")
                + "The crash drill of tests/DaprShop.Testing/Drills registers its customers, then each round places a burst of orders through the gateway "
                + "(about 60 % paid by card, 20 % declined, 20 % cancelled once placed; 20 ms apart, each with its own Idempotency-Key) and kills one "
                + "target with SIGKILL after a random number of them were answered: an app (the runner starts it again) or the runner with every "
                + "process it started (the drill starts it again on the same files and databases). Then, through the gateway and payment-service's "
                + $"ledger only: every order answered 201/202, and every order that exists, settles within {options.SettleTimeout.TotalSeconds:0} s "
                + "without a client retrying; each client that got no answer retries with the same key and reaches an order; one capture per confirmed "
                + "order, matching the ledger; a refund for each cancelled paid order and no other; contiguous event logs; on the durable profiles, one "
                + "notification per settling event.",
            Load = $"{Describe(options)}; seed {options.Seed}, round r seeded with {options.Seed} + r; {report.Rounds} rounds ran in {Elapsed(took)}",
        };
        result.Tables.Add(new ReportTable("Crash drill", CrashDrillReport.Columns, [report.Cells()]));
        result.Violations.AddRange(report.Violations);
        result.Notes.Add($"`--seed {options.Seed}` replays the same orders, kinds and kill points (counted in answered orders); "
            + "what the processes were doing at the kill depends on timing, so a replay is likely, not certain, to hit the same fault.");
        if (report.MissingNotifications is null)
        {
            result.Notes.Add("Notifications are not checked on the embedded profile: its in-memory pub/sub loses what it held when the runner dies.");
        }

        return result;
    }
}
