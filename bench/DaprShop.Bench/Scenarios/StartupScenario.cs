using DaprShop.Bench.Cli;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;
using DaprShop.Testing;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// Seconds from starting the runner to its ready line, with a warm build: the runner's Release build started
/// with <c>--no-build</c> on a fresh private run file each time (new ports, empty state), stopped cleanly
/// (SIGTERM) before the next run. Runs after any measured shop has stopped, so the runs have the machine.
/// </summary>
internal sealed class StartupScenario : IScenario
{
    private const double TargetSeconds = 20;

    public string Name => ScenarioName.Startup;

    public string Title => "from starting the runner to its ready line (warm build)";

    public bool NeedsShop => false;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Nothing changed since the bench's own build: this one is warm, as the target means.
        var build = await ShopBuild.RunAsync(context.Repository, context.Log, cancellationToken);
        var runs = new List<double>();
        for (var i = 1; i <= context.Options.Runs; i++)
        {
            using var runFile = await ShopRunFile.CreateAsync(context.Repository, context.Backend, cancellationToken);
            await using var runner = RunnerProcess.Start(LaunchedShop.RunnerArguments(context.Repository, runFile, context.Options.Dashboard, context.Options.Replicas), runFile.WorkDirectory);
            var seconds = (await runner.WaitUntilReadyAsync(LaunchedShop.ReadyTimeout, cancellationToken)).After.TotalSeconds;
            runs.Add(seconds);
            await context.Log.WriteLineAsync($"  startup run {i} of {context.Options.Runs}: ready after {seconds:0.00} s");
        }

        return Report(runs, build);
    }

    private ScenarioResult Report(List<double> runs, TimeSpan build)
    {
        var sorted = runs.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        var result = new ScenarioResult(Name, Title)
        {
            Method = "`dotnet runtime/DaprShop.Run/bin/Release/net10.0/DaprShop.Run.dll -f <private run file> --no-build`, timed from the process start "
                + $"to its line \"{RunnerReadyLine.Start}...\" (every sidecar and every app's /healthz answering), then stopped with SIGTERM; "
                + $"{runs.Count} runs, each on fresh ports and empty state.",
        };
        result.Tables.Add(new ReportTable("Runs", ["run", "seconds to ready"], [.. runs.Select((s, i) => (IReadOnlyList<string>)[$"{i + 1}", Format.Seconds(s)])]));
        result.Metrics.Add(new Metric("min", Math.Round(sorted[0], 2), "s"));
        result.Metrics.Add(new Metric("median", Math.Round(median, 2), "s"));
        result.Metrics.Add(new Metric("max", Math.Round(sorted[^1], 2), "s"));
        result.Metrics.Add(new Metric("warm dotnet build of the runner and the services", Math.Round(build.TotalSeconds, 2), "s", "nothing to compile; measured once, before the runs"));

        var total = median + build.TotalSeconds;
        result.Targets.Add(new TargetCheck(
            "from the run command to the ready line, under 20 s with a warm build",
            $"{Format.Seconds(median)} s to ready (median) + {Format.Seconds(build.TotalSeconds)} s warm build = {Format.Seconds(total)} s",
            total < TargetSeconds));
        result.Notes.Add("`dotnet run --project runtime/DaprShop.Run` as the README runs it adds dotnet run's own project evaluation and the runner's "
            + "incremental build of the apps; the warm build above stands for those.");
        return result;
    }
}
