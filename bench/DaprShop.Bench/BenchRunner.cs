using DaprShop.Bench.Cli;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Scenarios;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench;

/// <summary>
/// One bench run: build the shop once (Release) when it is to be started, then for each scenario that measures a shop
/// start a fresh one (or attach to the given one) and stop it after; run the ones that start their own (startup, crash), then
/// write the report.
/// </summary>
internal sealed class BenchRunner(BenchOptions options, TextWriter log)
{
    /// <summary>Returns the process exit code: 0, or 1 when a scenario failed or a drill found violations.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var repo = RepositoryRoot.Find();
        var environment = await RunEnvironment.CaptureAsync(repo, options.Arguments, cancellationToken);
        var scenarios = ScenarioCatalog.For(options.Scenario);
        var needsShop = scenarios.Any(s => s.NeedsShop);
        if ((needsShop && options.Url is null) || scenarios.Any(s => !s.NeedsShop))
        {
            await ShopBuild.RunAsync(repo, log, cancellationToken);
        }

        var results = new List<ScenarioResult>();
        var shops = new List<string>();

        // One profile after another, each with its own servers; with more than one, each result names its profile.
        foreach (var profile in options.Profiles)
        {
            await using var backend = ShopBackend.Start(profile);
            var context = new BenchContext(options, repo, log, backend);
            var profileResults = new List<ScenarioResult>();

            // A shop the bench starts is started afresh for each scenario: what one scenario leaves queued (orders'
            // notifications still being delivered, deferred payments being retried) would otherwise load the machine
            // under the next one.
            foreach (var scenario in scenarios.Where(s => s.NeedsShop))
            {
                await using var shop = await OpenShopAsync(context, environment, cancellationToken);
                profileResults.Add(await RunScenarioAsync(scenario, context, cancellationToken));
                await log.WriteLineAsync(shop is null ? "Done with the attached shop." : "Stopping the shop...");
            }

            context.Shop = null;
            foreach (var scenario in scenarios.Where(s => !s.NeedsShop))
            {
                profileResults.Add(await RunScenarioAsync(scenario, context, cancellationToken));
            }

            if (options.Profiles.Count > 1)
            {
                profileResults.ForEach(r => r.Name = $"{r.Name} on {profile}");
            }

            results.AddRange(profileResults);
            if (environment.Shop is { } described)
            {
                shops.Add(described);
            }
        }

        environment.Shop = shops.Count > 0 ? string.Join("; ", shops.Distinct(StringComparer.Ordinal)) : environment.Shop;
        environment.LoadAverageAtEnd = RunEnvironment.LoadAverage();
        var (directory, name) = ReportFiles(repo);
        var (markdown, files) = await ReportWriter.WriteAsync(new BenchReport(options.Scenario, environment, results), directory, name, cancellationToken);
        await Console.Out.WriteAsync(markdown);
        await log.WriteLineAsync($"Wrote {string.Join(", ", files.Select(f => Path.GetRelativePath(Environment.CurrentDirectory, f)))}");
        foreach (var result in results.Where(r => r.Violations.Count > 0))
        {
            await log.WriteLineAsync($"{result.Name} found {result.Violations.Count} violation(s):");
            foreach (var violation in result.Violations)
            {
                await log.WriteLineAsync($"  {violation}");
            }
        }

        return results.Any(r => r.Failed is not null || r.Violations.Count > 0) ? 1 : 0;
    }

    /// <summary>
    /// Where the report goes: <c>&lt;scenario&gt;.md</c> (.json, .svg) in bench/results or <c>--out</c>; the crash drill's in
    /// its <c>crash</c> folder, named for the profiles, so that drills on different profiles are kept side by side.
    /// </summary>
    private (string Directory, string Name) ReportFiles(string repo)
    {
        var results = options.OutputDirectory is { } output ? Path.GetFullPath(output) : Path.Combine(repo, "bench", "results");
        return options.Scenario == ScenarioName.Crash
            ? (Path.Combine(results, ScenarioName.Crash), string.Join('-', options.Profiles))
            : (results, options.Scenario);
    }

    /// <summary>
    /// With <c>--url</c>, the sidecar token the runner wrote for <paramref name="appId"/> in <c>.dapr/tokens/</c> of the
    /// current folder (the shop started from there, as the README does), or null: its sidecar then refuses the bench.
    /// </summary>
    private static string? RunnerToken(string appId)
    {
        var path = Path.Combine(".dapr", "tokens", appId);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Starts the shop (returned, to be stopped) or attaches to the one at <c>--url</c> (null returned).</summary>
    private async Task<LaunchedShop?> OpenShopAsync(BenchContext context, RunEnvironment environment, CancellationToken cancellationToken)
    {
        if (options.Url is { } url)
        {
            await CheckHealthAsync(url, cancellationToken);
            context.Shop = new ShopEndpoints(url)
            {
                GatewaySidecar = options.GatewaySidecar,
                GatewaySidecarToken = RunnerToken(ShopApp.Gateway),
                OrderSidecar = options.OrderSidecar,
                OrderSidecarToken = RunnerToken(ShopApp.Orders),
                PaymentSidecar = options.PaymentSidecar,
                PaymentSidecarToken = RunnerToken(ShopApp.Payments),
                PaymentApp = options.PaymentApp,
                PaymentAppToken = options.PaymentAppToken,
            };
            environment.Shop = $"attached to {url} (started elsewhere; its build, components and log levels are whatever it was started with)";
            return null;
        }

        await log.WriteLineAsync("Starting the shop through the runner...");
        var shop = await LaunchedShop.StartAsync(context.Repository, context.Backend, cancellationToken, dashboard: context.Options.Dashboard, replicas: context.Options.Replicas);
        await log.WriteLineAsync($"The shop is ready at {shop.Endpoints.Gateway} after {shop.TimeToReady.TotalSeconds:0.0} s.");
        context.Shop = shop.Endpoints;
        context.LaunchesShops = true;
        environment.Shop = $"started by the bench on the {context.Backend.Profile} profile: the runner's Release build with --no-build on a private run file "
            + $"(free loopback ports, {context.Backend.Describe()}), ASPNETCORE_ENVIRONMENT=Production, apps logging at Warning";
        return shop;
    }

    private static async Task CheckHealthAsync(Uri gateway, CancellationToken cancellationToken)
    {
        using var client = BenchHttp.Client(gateway, TimeSpan.FromSeconds(5), maxConnections: 1);
        try
        {
            using var response = await client.GetAsync("/healthz", cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"no shop answers GET {gateway}healthz: {e.Message}", e);
        }
    }

    /// <summary>Runs one scenario; a failure is reported as that scenario's result, and the others still run.</summary>
    private async Task<ScenarioResult> RunScenarioAsync(IScenario scenario, BenchContext context, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"== {scenario.Name}: {scenario.Title}");
        try
        {
            var result = await scenario.RunAsync(context, cancellationToken);
            if (result.Skipped is { } reason)
            {
                await log.WriteLineAsync($"{scenario.Name} skipped: {reason}");
            }

            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"{scenario.Name} failed: {e}");
            return ScenarioResult.Fail(scenario.Name, scenario.Title, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
