namespace DaprShop.Bench.Reporting;

/// <summary>A number a scenario measured besides latency (orders/s, seconds to the last notification, ...).</summary>
internal sealed record Metric(string Name, double? Value, string Unit, string? Note = null);

/// <summary>A scenario's own table (the overhead beside Dapr's published numbers, the startup runs, ...).</summary>
internal sealed record ReportTable(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>A DESIGN.md performance target and what this run measured against it; <c>Met</c> is null when it cannot say.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met);

/// <summary>What one scenario found, or why it was skipped.</summary>
internal sealed class ScenarioResult(string name, string title)
{
    /// <summary>The scenario's name; with several profiles in one run, followed by the profile ("orders on redis").</summary>
    public string Name { get; set; } = name;

    public string Title { get; } = title;

    /// <summary>Why the scenario did not run, when it did not.</summary>
    public string? Skipped { get; init; }

    /// <summary>Why the scenario stopped with an error, when it did.</summary>
    public string? Failed { get; init; }

    /// <summary>How it measures, in a sentence or two.</summary>
    public string? Method { get; set; }

    /// <summary>The load it offered, when it offered load.</summary>
    public string? Load { get; set; }

    public List<SeriesResult> Series { get; } = [];

    public List<Metric> Metrics { get; } = [];

    public List<ReportTable> Tables { get; } = [];

    public List<TargetCheck> Targets { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>What a drill found broken, one line each (the crash drill's invariants); any makes the run exit with 1.</summary>
    public List<string> Violations { get; } = [];

    public static ScenarioResult Skip(string name, string title, string reason) => new(name, title) { Skipped = reason };

    public static ScenarioResult Fail(string name, string title, string error) => new(name, title) { Failed = error };
}
