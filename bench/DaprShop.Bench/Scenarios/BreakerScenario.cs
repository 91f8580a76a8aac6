using System.Net;
using DaprShop.Bench.Cli;
using DaprShop.Bench.Load;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// Order placement with payment healthy, then with payment down and order-service's circuit breaker open, and —
/// when the bench starts its own shops — with payment down in a second shop whose resiliency policies have no
/// breaker on payment-service (same timeout and retries), all in one run. Payment's fault mode is set back to
/// <c>none</c> at the end, whatever happened.
/// </summary>
internal sealed class BreakerScenario : IScenario
{
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromSeconds(15);

    public string Name => ScenarioName.Breaker;

    public string Title => "order placement with payment down and the breaker open, beside payment healthy and beside no breaker policy";

    public bool NeedsShop => true;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shop = context.RequireShop();
        if (shop.PaymentSidecar is not { } paymentSidecarUrl)
        {
            return ScenarioResult.Skip(Name, Title,
                "attached with --url but without --payment-sidecar (payment-service's Dapr HTTP endpoint, http://127.0.0.1:3502 with dapr.yaml's ports), "
                + "through which payment is taken down; add --order-sidecar (http://127.0.0.1:3501) to confirm the breaker opened.");
        }

        var options = context.Options;
        var (model, duration, warmup) = options.LoadFor(Name);
        var plan = new LoadPlan(model, warmup, duration);
        using var gateway = BenchHttp.Client(shop.Gateway, options.RequestTimeout, LoadDriver.Connections(model));
        using var paymentSidecar = BenchHttp.SidecarClient(paymentSidecarUrl, shop.PaymentSidecarToken, options.RequestTimeout, maxConnections: 4);
        using var orderSidecar = shop.OrderSidecar is { } url ? BenchHttp.SidecarClient(url, shop.OrderSidecarToken, options.RequestTimeout, maxConnections: 4) : null;
        var faults = new PaymentFaults(paymentSidecar);
        var probe = new BreakerProbe(orderSidecar);

        var shoppers = options.Users ?? (options.Quick ? 8 : 32);
        var users = await Shopper.RegisterAsync(gateway, shoppers, $"{context.RunId}-breaker", context.Log, cancellationToken);
        try
        {
            await faults.SetAsync(PaymentFaults.None, cancellationToken);
            var healthyOrders = new OrderWorkload(gateway, users, $"{context.RunId}-ok", "tok_visa", "payment healthy");
            var priming = await OrderPriming.RunAsync(healthyOrders, OrdersScenario.PrimingDeadline(options), context.Log, cancellationToken);
            var healthy = await context.Load.RunAsync("breaker: payment healthy", healthyOrders, plan, cancellationToken);

            await context.Log.WriteLineAsync("breaker: taking payment-service down and tripping order-service's breaker...");
            await faults.SetAsync(PaymentFaults.Down, cancellationToken);
            var tripping = new OrderWorkload(gateway, users, $"{context.RunId}-trip", "tok_visa", "tripping");
            var trip = await probe.TripAsync(tripping, TimeSpan.FromSeconds(options.Quick ? 6 : 20), ordersWithoutProbe: 10, cancellationToken);
            await context.Log.WriteLineAsync($"breaker: {Describe(trip.State)} after {trip.Orders} order(s) in {trip.Took.TotalSeconds:0.00} s");

            var down = await context.Load.RunAsync("breaker: payment down", new OrderWorkload(gateway, users, $"{context.RunId}-down", "tok_visa", $"payment down, {Describe(trip.State)}"), plan, cancellationToken);
            var after = await probe.StateAsync(cancellationToken);
            await ResetAsync(faults, context.Log);
            var withoutBreaker = context.LaunchesShops ? await RunWithoutBreakerAsync(context, plan, cancellationToken) : null;
            var result = Report(healthy, down, withoutBreaker, trip, after, orderSidecar is not null);
            result.Notes.Add($"Priming: {priming.Describe()}.");
            if (withoutBreaker is null)
            {
                result.Notes.Add("No 'no breaker policy' series: the shop was attached with --url, and that series needs a second shop the bench starts itself.");
            }

            return result;
        }
        finally
        {
            await ResetAsync(faults, context.Log);
        }
    }

    /// <summary>
    /// The comparison series: a second shop, identical but for the breaker on payment-service, with payment down; every
    /// order then waits for the sidecar's timeout and retries against the failing payment before it is deferred.
    /// </summary>
    private static async Task<LoadResult> RunWithoutBreakerAsync(BenchContext context, LoadPlan plan, CancellationToken cancellationToken)
    {
        var options = context.Options;
        await context.Log.WriteLineAsync("breaker: starting a second shop whose resiliency policies have no breaker on payment-service...");
        await using var shop = await LaunchedShop.StartAsync(context.Repository, context.Backend, cancellationToken, ShopVariant.WithoutPaymentBreaker);
        var endpoints = shop.Endpoints;
        using var gateway = BenchHttp.Client(endpoints.Gateway, options.RequestTimeout, LoadDriver.Connections(plan.Model));
        using var paymentSidecar = BenchHttp.SidecarClient(endpoints.PaymentSidecar!, endpoints.PaymentSidecarToken, options.RequestTimeout, maxConnections: 4);
        var faults = new PaymentFaults(paymentSidecar);
        var users = await Shopper.RegisterAsync(gateway, options.Users ?? (options.Quick ? 8 : 32), $"{context.RunId}-nobreaker", context.Log, cancellationToken);
        try
        {
            var priming = new OrderWorkload(gateway, users, $"{context.RunId}-nb-ok", "tok_visa", "priming");
            await OrderPriming.RunAsync(priming, OrdersScenario.PrimingDeadline(options), context.Log, cancellationToken);
            await faults.SetAsync(PaymentFaults.Down, cancellationToken);
            return await context.Load.RunAsync(
                "breaker: payment down, no breaker policy",
                new OrderWorkload(gateway, users, $"{context.RunId}-nb-down", "tok_visa", "payment down, no breaker policy"),
                plan,
                cancellationToken);
        }
        finally
        {
            await ResetAsync(faults, context.Log);
        }
    }

    /// <summary>Puts payment back to healthy, even when the run is being stopped; says so loudly when it cannot.</summary>
    private static async Task ResetAsync(PaymentFaults faults, TextWriter log)
    {
        using var reset = new CancellationTokenSource(ResetTimeout);
        try
        {
            await faults.SetAsync(PaymentFaults.None, reset.Token);
            await log.WriteLineAsync("breaker: payment-service's fault mode is back to none.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            await log.WriteLineAsync($"breaker: could NOT set payment-service's fault mode back to none ({e.Message}): payment may still be down.");
        }
    }

    private static string Describe(BreakerState state) => state switch
    {
        BreakerState.Open => "breaker open",
        BreakerState.Closed => "breaker not open",
        _ => "breaker state unknown",
    };

    private ScenarioResult Report(LoadResult healthy, LoadResult down, LoadResult? withoutBreaker, (BreakerState State, int Orders, TimeSpan Took) trip, BreakerState after, bool probed)
    {
        var healthySeries = SeriesResult.From(healthy.Series[0], healthy);
        var downSeries = SeriesResult.From(down.Series[0], down);
        var result = new ScenarioResult(Name, Title)
        {
            Method = "POST /api/orders through the gateway (tok_visa, new Idempotency-Key each) with payment healthy; then payment-service is "
                + "taken down (PUT faults {\"mode\":\"down\"} through its sidecar), orders are placed one by one until order-service's sidecar "
                + $"answers \"{BreakerProbe.OpenMessage}\" for a GET /payments/... it invokes on payment-service, and the same load runs again. "
                + "Fault mode reset to none at the end. Then, when the bench starts its own shops, a second shop whose resiliency.yaml lacks only "
                + "the breaker on payment-service (same 1 s timeout and 2 retries) takes the same load with payment down.",
            Load = $"per phase: {healthy.Describe()} (healthy phase)",
        };
        result.Series.Add(healthySeries);
        result.Series.Add(downSeries);
        if (withoutBreaker is not null)
        {
            result.Series.Add(SeriesResult.From(withoutBreaker.Series[0], withoutBreaker));
        }

        var accepted = downSeries.Outcomes.GetValueOrDefault(Outcome.Status(HttpStatusCode.Accepted, expected: true).Kind);
        result.Metrics.Add(new Metric("breaker", null, "", probed
            ? $"{Describe(trip.State)} after {trip.Orders} order(s) in {Format.Seconds(trip.Took.TotalSeconds)} s with payment down; {Describe(after)} after the down phase"
            : "not checked: attached without --order-sidecar"));
        result.Metrics.Add(new Metric("answers 202 (AwaitingPayment) with payment down", downSeries.Requests > 0 ? Math.Round(100.0 * accepted / downSeries.Requests, 1) : null, "%"));
        result.Metrics.Add(new Metric("send lag p99 (load generator behind schedule), down phase", Math.Round(down.SendLag.GetValueAtPercentile(99) / 1000.0, 2), "ms"));

        var p99 = downSeries.Latency?.P99Ms;
        var allAccepted = downSeries.Requests > 0 && accepted == downSeries.Requests;
        result.Targets.Add(new TargetCheck(
            "with payment down and the breaker open, placement answers 202 with p99 under 10 ms",
            $"{Describe(trip.State)}; {accepted:N0} of {downSeries.Requests:N0} answered 202; p99 {(p99 is { } ms ? Format.Millis(ms) : "-")} ms",
            trip.State == BreakerState.Open ? allAccepted && p99 < 10 : null));

        if (trip.State == BreakerState.Closed)
        {
            result.Notes.Add($"order-service's sidecar did not answer \"{BreakerProbe.OpenMessage}\" while payment was down: either the local sidecar "
                + "does not open circuit breakers from resiliency.yaml at this commit, or its trip condition was not reached in time. The down phase "
                + "then measures payment answering 503 on every call (with whatever retries the sidecar applies), not an open breaker.");
        }

        return result;
    }
}
