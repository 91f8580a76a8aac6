using DaprShop.Bench.Cli;
using DaprShop.Bench.Load;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// Issue 14's one run: order placement as a closed loop (capacity), then at fixed rates of 250, 500 and 1,000 orders/s,
/// each phase followed by the wait for its notifications, reporting for every phase the orders/s, latency, the
/// notification lag percentiles and the shop's CPU per order by process. The phases share one shop and one set of
/// shoppers, so a backlog a phase leaves is waited out before the next one starts.
/// </summary>
internal sealed class CapacityScenario : IScenario
{
    /// <summary>The fixed rates, orders per second (a tenth of each with --quick).</summary>
    public static readonly IReadOnlyList<double> Rates = [250, 500, 1000];

    public string Name => ScenarioName.Capacity;

    public string Title => "capacity, latency at fixed rates, and notification lag";

    public bool NeedsShop => true;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var duration = options.Duration ?? TimeSpan.FromSeconds(options.Quick ? 3 : 20);
        var warmup = options.Warmup ?? TimeSpan.FromSeconds(options.Quick ? 2 : 10);
        var deadline = OrdersScenario.NotificationDeadline(options);
        List<LoadModel> phases = [new ClosedModel(options.Load is ClosedModel given ? given.VirtualUsers : 32), .. Rates.Select(r => new OpenModel(options.Quick ? r / 10 : r))];

        // Enough shoppers for every phase together: the closed loop counted at the top rate.
        var total = (duration + warmup) * phases.Count;
        var shoppers = phases.Max(model => OrdersScenario.ShoppersFor(model is ClosedModel ? new OpenModel(options.Quick ? 100 : 1000) : model, total, options));
        var shop = context.RequireShop();
        using var gateway = BenchHttp.Client(shop.Gateway, options.RequestTimeout, LoadDriver.MaxInFlight);
        var users = await Shopper.RegisterAsync(gateway, shoppers, $"{context.RunId}-capacity", context.Log, cancellationToken);
        var priming = await OrderPriming.RunAsync(new OrderWorkload(gateway, users, $"{context.RunId}-priming", "tok_visa", "priming"), OrdersScenario.PrimingDeadline(options), context.Log, cancellationToken);
        var result = new ScenarioResult(Name, Title)
        {
            Method = "POST /api/orders on the gateway (bearer token, a new Idempotency-Key each, payment tok_visa), spread over "
                + $"{shoppers} registered shoppers: first a closed loop (capacity), then the open model at each fixed rate, latency from the "
                + "intended send time. After each phase's warm-up the bench waits until the warm-up's orders are notified, then measures. After each phase GET /api/notifications is polled until every order of that phase has its "
                + "notification; a notification's lag runs from its order's request leaving the bench to the notification's sentAt (the order's own latency included).",
            Load = $"each phase {duration.TotalSeconds:0.#} s measured after {warmup.TotalSeconds:0.#} s of warm-up",
        };
        result.Notes.Add($"Priming: {priming.Describe()}.");
        using var poller = BenchHttp.Client(shop.Gateway, options.RequestTimeout, maxConnections: 8);
        for (var i = 0; i < phases.Count; i++)
        {
            var model = phases[i];
            var series = model is ClosedModel closed ? $"closed loop, {closed.VirtualUsers} users" : $"{((OpenModel)model).Rate:0} orders/s offered";
            var backlog = new WarmupBacklog(poller, users, deadline, context.Log);
            var workload = new OrderWorkload(gateway, users, $"{context.RunId}-phase{i}", "tok_visa", series) { AfterWarmup = backlog.WaitAsync };
            var plan = OrdersScenario.Bounded(new LoadPlan(model, warmup, duration), shoppers);
            var load = await context.Load.RunAsync(series, workload, plan, cancellationToken, shop.Cpu);
            var notifications = await NotificationWatch.WaitAsync(poller, users, workload.Placed, deadline, context.Log, cancellationToken);
            AddPhase(result, series, load, notifications, deadline);
            if (backlog.Describe() is { } settled)
            {
                result.Notes.Add($"{series}, warm-up backlog: {settled}.");
            }
        }

        return result;
    }

    private static void AddPhase(ScenarioResult result, string series, LoadResult load, NotificationWait notifications, TimeSpan deadline)
    {
        var measured = SeriesResult.From(load.Series[0], load, series);
        result.Series.Add(measured);
        var placed = measured.Requests - measured.Errors;
        var rate = placed / load.Elapsed.TotalSeconds;
        var prefix = series + ": ";
        result.Metrics.Add(new Metric(prefix + "orders placed per second", Math.Round(rate, 1), "orders/s", $"{placed:N0} orders in {load.Elapsed.TotalSeconds:0.0} s; {measured.Errors:N0} errors, {measured.NotSent:N0} not sent"));
        OrdersScenario.AddNotificationLag(result, notifications, prefix);
        result.Metrics.Add(notifications.AllNotifiedAfter is { } after
            ? new Metric(prefix + "every order notified", Math.Round(after.TotalSeconds, 2), "s after the last answer")
            : new Metric(prefix + "every order notified", null, "", $"not within {deadline.TotalSeconds:0} s: {notifications.Orders - notifications.Notified:N0} of {notifications.Orders:N0} without a notification"));
        OrdersScenario.AddCpuPerOrder(result, load, placed, prefix);
        if (load.Plan.Model is OpenModel { Rate: >= 1000 })
        {
            var p99 = measured.Latency?.P99Ms;
            result.Targets.Add(new TargetCheck(
                "1,000 orders/s sustained end to end, p99 under 100 ms",
                $"{rate:N0} orders/s with p99 {(p99 is { } ms ? Format.Millis(ms) : "-")} ms, {measured.Errors:N0} errors, {measured.NotSent:N0} not sent",
                rate >= 980 && measured.Errors == 0 && measured.NotSent == 0 && p99 < 100));
            var lag = notifications.LagAt(100);
            result.Targets.Add(new TargetCheck(
                "every notification within a second of its order",
                lag is { } max ? $"max lag {max.TotalSeconds:0.00} s over {notifications.Lags.Count:N0} orders ({notifications.Notified:N0} of {notifications.Orders:N0} notified)" : "no notification seen",
                lag is { } worst && notifications.Notified == notifications.Orders ? worst <= TimeSpan.FromSeconds(1) : false));
        }
    }
}
