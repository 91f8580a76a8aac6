using System.Globalization;
using System.Text;

namespace DaprShop.Testing.Drills;

/// <summary>What the crash drill found: counts per invariant, and one line per violation naming its round and seed.</summary>
public sealed class CrashDrillReport
{
    private readonly List<string> _violations = [];
    private readonly List<TimeSpan> _settleTimes = [];

    public required string Profile { get; init; }

    public required int Seed { get; init; }

    public int Rounds { get; internal set; }

    public int Orders { get; internal set; }

    /// <summary>Orders answered 201 or 202 before or during the kill.</summary>
    public int Answered { get; internal set; }

    public Dictionary<string, int> KillsByTarget { get; } = new(StringComparer.Ordinal);

    /// <summary>Orders answered 201/202 that no longer exist.</summary>
    public int Lost { get; internal set; }

    /// <summary>Orders not Confirmed, Rejected or Cancelled (as their cancellation asked) within the settle timeout.</summary>
    public int Stuck { get; internal set; }

    /// <summary>Orders with more than one capture in their log, or a capture other than the ledger's.</summary>
    public int DoubleCaptures { get; internal set; }

    /// <summary>Payments captured (and not refunded) for orders that are not Confirmed.</summary>
    public int PaidNotConfirmed { get; internal set; }

    /// <summary>A refund in the ledger without one in the order's log, or the other way round; a confirmed order without its capture.</summary>
    public int PaymentMismatches { get; internal set; }

    public int BrokenLogs { get; internal set; }

    /// <summary>Clients that got no answer and whose retry with the same Idempotency-Key did not reach an order.</summary>
    public int RetriesRefused { get; internal set; }

    /// <summary>Null on the embedded profile, whose in-memory pub/sub loses what it held when the runner dies.</summary>
    public int? MissingNotifications { get; internal set; }

    public int? DuplicateNotifications { get; internal set; }

    public IReadOnlyList<string> Violations => _violations;

    /// <summary>Per round: from the restart (or the kill of an app) until every order had settled.</summary>
    public IReadOnlyList<TimeSpan> SettleTimes => _settleTimes;

    public bool Passed => _violations.Count == 0;

    /// <summary>The columns of <see cref="ToTable"/>, for a caller that lays the table out itself.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "profile", "rounds", "orders", "answered", "kills", "lost", "stuck", "double captures", "paid, not confirmed",
        "payment mismatches", "broken logs", "retries refused", "missing notifications", "duplicate notifications", "settled after restart",
    ];

    /// <summary>The one row of <see cref="ToTable"/>, a cell per column of <see cref="Columns"/>.</summary>
    public IReadOnlyList<string> Cells()
    {
        static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
        static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "n/a (in-memory pub/sub)";
        var kills = string.Join(", ", KillsByTarget.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));
        var settle = _settleTimes.Count == 0
            ? "-"
            : string.Create(CultureInfo.InvariantCulture, $"median {Median(_settleTimes).TotalSeconds:0.0} s, max {_settleTimes.Max().TotalSeconds:0.0} s");
        return
        [
            Profile, Count(Rounds), Count(Orders), Count(Answered), kills, Count(Lost), Count(Stuck), Count(DoubleCaptures), Count(PaidNotConfirmed),
            Count(PaymentMismatches), Count(BrokenLogs), Count(RetriesRefused), Text(MissingNotifications), Text(DuplicateNotifications), settle,
        ];
    }

    /// <summary>The report as a Markdown table with one row.</summary>
    public string ToTable() => new StringBuilder()
        .AppendLine("| " + string.Join(" | ", Columns) + " |")
        .AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        .AppendLine("| " + string.Join(" | ", Cells()) + " |")
        .ToString();

    internal void Violation(string message) => _violations.Add(message);

    internal void Settled(TimeSpan after) => _settleTimes.Add(after);

    private static TimeSpan Median(List<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
