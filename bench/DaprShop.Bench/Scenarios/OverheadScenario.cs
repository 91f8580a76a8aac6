using DaprShop.Bench.Cli;
using DaprShop.Bench.Load;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// The latency two sidecars add to one invocation: the same GET on payment-service directly and through the
/// gateway's sidecar, interleaved in one run, compared percentile by percentile and beside Dapr's published
/// numbers.
/// </summary>
internal sealed class OverheadScenario : IScenario
{
    /// <summary>What Dapr's docs ("Service invocation performance") say its two sidecars add: p50, p90, p99 in ms.</summary>
    private static readonly (double Percentile, double Millis)[] DaprPublished = [(50, 1.06), (90, 1.48), (99, 2.90)];

    public string Name => ScenarioName.Overhead;

    public string Title => "latency added by two sidecars on one invocation";

    public bool NeedsShop => true;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shop = context.RequireShop();
        if (shop.GatewaySidecar is not { } gatewaySidecar || shop.PaymentApp is not { } paymentAppUrl || shop.PaymentAppToken is not { } token)
        {
            return ScenarioResult.Skip(Name, Title,
                "attached with --url but without --gateway-sidecar, --payment-app and --payment-app-token. The app port needs the "
                + "APP_API_TOKEN its sidecar sends, which the runner makes up per run unless the run file's env for payment-service sets "
                + "APP_API_TOKEN: set it there, then pass it with --payment-app-token (dapr.yaml's ports: --gateway-sidecar http://127.0.0.1:3500 "
                + "--payment-app http://127.0.0.1:8082).");
        }

        var options = context.Options;
        var (model, duration, warmup) = options.LoadFor(Name);
        var connections = LoadDriver.Connections(model);
        using var paymentApp = BenchHttp.Client(paymentAppUrl, options.RequestTimeout, connections);
        using var sidecar = BenchHttp.SidecarClient(gatewaySidecar, shop.GatewaySidecarToken, options.RequestTimeout, connections);
        var workload = new OverheadWorkload(paymentApp, token, sidecar);
        await PreflightAsync(workload, cancellationToken);

        var load = await context.Load.RunAsync("overhead", workload, new LoadPlan(model, warmup, duration), cancellationToken);
        return Report(load);
    }

    /// <summary>One call each way first, so a refused token or a missing endpoint fails with a clear message rather than as errors.</summary>
    private static async Task PreflightAsync(OverheadWorkload workload, CancellationToken cancellationToken)
    {
        var direct = await workload.DirectAsync(cancellationToken);
        var via = await workload.ViaSidecarsAsync(cancellationToken);
        if (direct.IsError || via.IsError)
        {
            throw new InvalidOperationException(
                $"GET /{OverheadWorkload.Method} on payment-service answered {direct.Kind} directly and {via.Kind} through the sidecars; "
                + "both must answer 200 (fault injection enabled, the right app token).");
        }
    }

    private ScenarioResult Report(LoadResult load)
    {
        var direct = SeriesResult.From(load.Series[0], load);
        var via = SeriesResult.From(load.Series[1], load);
        var result = new ScenarioResult(Name, Title)
        {
            Method = $"GET /{OverheadWorkload.Method} on payment-service, alternately straight to its app port (with the dapr-api-token header "
                + "its sidecar would add) and through the gateway's sidecar (/v1.0/invoke/payment-service/method/faults), request by request "
                + "in one run, so both see the same machine at the same moment. Added latency = via minus direct, percentile by percentile.",
            Load = load.Describe() + " (both series together)",
        };
        result.Series.Add(direct);
        result.Series.Add(via);

        if (direct.Latency is { } d && via.Latency is { } v)
        {
            result.Tables.Add(new ReportTable(
                "Added by the sidecars, beside Dapr's published figures",
                ["percentile", "direct ms", "via sidecars ms", "added ms", "Dapr published, added ms"],
                [.. DaprPublished.Select(p => (IReadOnlyList<string>)[
                    $"p{p.Percentile}",
                    Format.Millis(d.At(p.Percentile)),
                    Format.Millis(v.At(p.Percentile)),
                    Format.SignedMillis(v.At(p.Percentile) - d.At(p.Percentile)),
                    Format.SignedMillis(p.Millis),
                ])]));
            var addedP99 = v.P99Ms - d.P99Ms;
            result.Metrics.Add(new Metric("added p50", Math.Round(v.P50Ms - d.P50Ms, 3), "ms"));
            result.Metrics.Add(new Metric("added p90", Math.Round(v.P90Ms - d.P90Ms, 3), "ms"));
            result.Metrics.Add(new Metric("added p99", Math.Round(addedP99, 3), "ms"));
            result.Targets.Add(new TargetCheck("sidecar overhead per invocation (via sidecars minus direct), p99 under 1 ms", $"{Format.SignedMillis(addedP99)} ms", addedP99 < 1));
        }

        result.Metrics.Add(new Metric("send lag p99 (load generator behind schedule, both series)", Math.Round(load.SendLag.GetValueAtPercentile(99) / 1000.0, 2), "ms"));
        result.Notes.Add("Dapr's figures (docs.dapr.io, \"Service invocation performance\") come from 1,000 req/s with a 1 KB payload between two "
            + "nodes of a Kubernetes cluster, sidecars limited to 0.5 vCPU with mTLS and tracing on; here everything shares one machine and "
            + "the payload is a small JSON answer, so the comparison is indicative, not like for like.");
        result.Notes.Add("DaprShop's local runtime hosts every sidecar in the runner's process; at the measured commit the caller's sidecar hands "
            + "the call to the callee's in process (runtime/DaprShop.Sidecar/Invocation/InvocationHandler.cs), where daprd makes a gRPC call between sidecars.");
        return result;
    }
}
