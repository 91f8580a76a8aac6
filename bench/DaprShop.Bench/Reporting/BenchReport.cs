namespace DaprShop.Bench.Reporting;

/// <summary>One run of the bench: where and how it ran, and what each scenario found.</summary>
internal sealed record BenchReport(string Scenario, RunEnvironment Environment, IReadOnlyList<ScenarioResult> Results);
