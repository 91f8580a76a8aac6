namespace DaprShop.Testing.Drills;

/// <summary>How the crash drill runs: rounds, the burst of each, and how long an order may take to settle.</summary>
public sealed record CrashDrillOptions
{
    public int Rounds { get; init; } = 5;

    /// <summary>Orders placed in each round's burst: about 60 % paid by card, 20 % declined, 20 % cancelled once placed.</summary>
    public int OrdersPerRound { get; init; } = 24;

    public int Customers { get; init; } = 4;

    /// <summary>The drill's seed; round <c>r</c> uses <c>Seed + r</c>, printed, so a failed round can be replayed.</summary>
    public int Seed { get; init; } = Random.Shared.Next(1, 1_000_000);

    /// <summary>How long after the restart every order may take to reach Confirmed, Rejected or Cancelled.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A soak: when set, no round starts once this much time has passed since the first round started (the round under
    /// way finishes); <see cref="Rounds"/> still caps the rounds. Null: exactly <see cref="Rounds"/> rounds.
    /// </summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>What the rounds kill, in turn (<see cref="DrillTarget.All"/> by default).</summary>
    public IReadOnlyList<string> Targets { get; init; } = DrillTarget.All;
}
