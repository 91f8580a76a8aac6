using DaprShop.Bench.Cli;
using DaprShop.Bench.Load;
using DaprShop.Bench.Reporting;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// End-to-end order placement through the gateway (gateway → order-service → payment-service → outbox →
/// notification-service): orders/s, latency, errors by kind, and the time until every order placed while
/// measuring has its notification.
/// </summary>
internal sealed class OrdersScenario : IScenario
{
    /// <summary>
    /// Orders per shopper at most: notification-service keeps a user's newest 500 notifications, so a shopper
    /// with more orders than that could never show them all.
    /// </summary>
    public const int OrdersPerShopper = 450;

    public string Name => ScenarioName.Orders;

    public string Title => "order placement through the gateway";

    public bool NeedsShop => true;

    public async Task<ScenarioResult> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Options;
        var (model, duration, warmup) = options.LoadFor(Name);
        var shoppers = ShoppersFor(model, duration + warmup, options);
        var plan = Bounded(new LoadPlan(model, warmup, duration), shoppers);
        var shop = context.RequireShop();

        using var gateway = BenchHttp.Client(shop.Gateway, options.RequestTimeout, LoadDriver.Connections(model));
        var users = await Shopper.RegisterAsync(gateway, shoppers, $"{context.RunId}-orders", context.Log, cancellationToken);
        var deadline = NotificationDeadline(options);
        using var poller = BenchHttp.Client(shop.Gateway, options.RequestTimeout, maxConnections: 8);
        var backlog = new WarmupBacklog(poller, users, deadline, context.Log);
        var workload = new OrderWorkload(gateway, users, context.RunId, "tok_visa", "orders") { AfterWarmup = backlog.WaitAsync };
        var priming = await OrderPriming.RunAsync(workload, PrimingDeadline(options), context.Log, cancellationToken);
        var load = await context.Load.RunAsync("orders", workload, plan, cancellationToken, shop.Cpu);

        var notifications = await NotificationWatch.WaitAsync(poller, users, workload.Placed, deadline, context.Log, cancellationToken);
        var result = Report(load, notifications, deadline, shoppers, priming);
        if (backlog.Describe() is { } settled)
        {
            result.Notes.Add($"Warm-up backlog: {settled}.");
        }

        return result;
    }

    /// <summary>How long the bench waits for the notifications of a phase (and of its warm-up) before it reports what is missing.</summary>
    public static TimeSpan NotificationDeadline(BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TimeSpan.FromSeconds(options.Quick ? 5 : 60);
    }

    /// <summary>Past order-service's breaker timeout (30 s in resiliency.yaml), so a breaker opened by a cold start has closed again.</summary>
    public static TimeSpan PrimingDeadline(BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TimeSpan.FromSeconds(options.Quick ? 10 : 45);
    }

    /// <summary>
    /// Enough shoppers that none places more than <see cref="OrdersPerShopper"/> orders in the open model, and at least
    /// one per two requests per second: a shopper does not place many orders at once, and the orders of one shopper
    /// all update that shopper's order list (with 100 shoppers at 1,000 req/s each had about ten orders in flight,
    /// and overload turned their list into a hot key).
    /// </summary>
    internal static int ShoppersFor(LoadModel model, TimeSpan total, BenchOptions options)
    {
        var least = options.Users ?? (options.Quick ? 16 : 100);
        return model switch
        {
            OpenModel open => Math.Max(
                options.Users is null ? Math.Max(least, (int)Math.Ceiling(open.Rate / 2)) : least,
                (int)Math.Ceiling(open.Rate * total.TotalSeconds / OrdersPerShopper)),
            ClosedModel closed => Math.Max(least, closed.VirtualUsers),
            _ => least,
        };
    }

    /// <summary>The closed loop has no rate: bound it by what the shoppers can hold (a fifth for the warm-up).</summary>
    internal static LoadPlan Bounded(LoadPlan plan, int shoppers)
    {
        long capacity = (long)shoppers * OrdersPerShopper;
        return plan with { MaxWarmupRequests = capacity / 5, MaxRequests = capacity - (capacity / 5) };
    }

    /// <summary>
    /// The shop's CPU time per order placed while measuring, in total and per process, with the kernel's share, and
    /// the rate at which that would take every core: what bounds throughput when the machine, not a lock or a queue,
    /// is the limit. Also the machine's context switches per order, which is what most of the kernel's share pays for.
    /// </summary>
    internal static void AddCpuPerOrder(ScenarioResult result, LoadResult load, long placed, string prefix = "")
    {
        if (load.ShopCpu is not { } cpu || placed == 0)
        {
            return;
        }

        var total = cpu.Values.Aggregate(default(CpuTime), (sum, used) => sum + used).Total;
        var perOrder = total.TotalMilliseconds / placed;
        var split = string.Join(", ", cpu.OrderByDescending(c => c.Value.Total).Select(c => $"{c.Key} {c.Value.Total.TotalMilliseconds / placed:0.0} ({KernelShare(c.Value):0}% kernel)"));
        result.Metrics.Add(new Metric(prefix + "shop CPU per order", Math.Round(perOrder, 1), "ms", $"{split} (ms; notification work still queued at the end is not in it)"));
        if (load.ContextSwitches is { } switches)
        {
            result.Metrics.Add(new Metric(
                prefix + "context switches per order",
                Math.Round((double)switches / placed),
                "switches",
                $"{switches:N0} on the machine while measuring ({switches / load.Elapsed.TotalSeconds:N0}/s), the load generator's included"));
        }

        result.Metrics.Add(new Metric(
            prefix + "orders/s that would use every core",
            Math.Round(Environment.ProcessorCount * 1000 / perOrder),
            "orders/s",
            $"{Environment.ProcessorCount} cores / {perOrder:0.0} ms CPU per order; the shop used {100 * total / load.Elapsed:0}% of one core while measuring"));
    }

    private static double KernelShare(CpuTime used) => used.Total > TimeSpan.Zero ? 100 * used.System / used.Total : 0;

    /// <summary>Percentiles of each notified order's lag: from its request leaving the bench to its notification's <c>sentAt</c>.</summary>
    internal static void AddNotificationLag(ScenarioResult result, NotificationWait notifications, string prefix = "")
    {
        if (notifications.LagAt(50) is not { } p50)
        {
            return;
        }

        result.Metrics.Add(new Metric(
            prefix + "notification lag p50 / p90 / p99 / max",
            Math.Round(p50.TotalMilliseconds),
            "ms",
            $"p90 {notifications.LagAt(90)!.Value.TotalMilliseconds:N0} ms, p99 {notifications.LagAt(99)!.Value.TotalMilliseconds:N0} ms, max {notifications.LagAt(100)!.Value.TotalMilliseconds:N0} ms; "
                + $"from placing the order (its request leaving the bench) to its notification's sentAt, over {notifications.Lags.Count:N0} notified orders"));
    }

    private ScenarioResult Report(LoadResult load, NotificationWait notifications, TimeSpan deadline, int shoppers, PrimingResult priming)
    {
        var series = SeriesResult.From(load.Series[0], load);
        var placed = series.Requests - series.Errors;
        var result = new ScenarioResult(Name, Title)
        {
            Method = "POST /api/orders on the gateway with a bearer token, a new Idempotency-Key each and payment tok_visa, "
                + $"spread over {shoppers} registered shoppers; every latency recorded in an HDR histogram. After the warm-up the "
                + "bench waits until every order placed so far has its notification, then measures. Afterwards "
                + $"GET /api/notifications is polled per shopper every {NotificationWatch.PollInterval.TotalMilliseconds:0} ms until every order placed while measuring has its notification.",
            Load = load.Describe(),
        };
        result.Notes.Add($"Priming: {priming.Describe()}.");
        result.Series.Add(series);
        result.Metrics.Add(new Metric("orders placed (201 or 202) per second", Math.Round(placed / load.Elapsed.TotalSeconds, 1), "orders/s", $"{placed:N0} orders in {load.Elapsed.TotalSeconds:0.0} s, drain included"));
        result.Metrics.Add(new Metric("orders with a notification", notifications.Notified, $"of {notifications.Orders:N0}"));
        result.Metrics.Add(notifications.AllNotifiedAfter is { } after
            ? new Metric("every order notified", Math.Round(after.TotalSeconds, 2), "s after the last answer", $"polled every {NotificationWatch.PollInterval.TotalMilliseconds:0} ms")
            : new Metric("every order notified", null, "", $"not within the {deadline.TotalSeconds:0} s deadline: {notifications.Orders - notifications.Notified:N0} orders without a notification "
                + $"({string.Join(", ", notifications.Missing.OrderBy(m => m.Key).Select(m => $"{m.Value:N0} answered {m.Key}"))})"));
        AddNotificationLag(result, notifications);
        result.Metrics.Add(new Metric("send lag p99 (load generator behind schedule)", Math.Round(load.SendLag.GetValueAtPercentile(99) / 1000.0, 2), "ms"));
        AddCpuPerOrder(result, load, placed);

        var rate = placed / load.Elapsed.TotalSeconds;
        var p99 = series.Latency?.P99Ms;
        result.Targets.Add(new TargetCheck(
            "1,000 orders/s sustained end to end, p99 under 100 ms",
            $"{rate:N0} orders/s with p99 {(p99 is { } ms ? Format.Millis(ms) : "-")} ms, {series.Errors:N0} errors, {series.NotSent:N0} not sent",
            load.Plan.Model is OpenModel { Rate: >= 1000 } ? rate >= 980 && series.Errors == 0 && series.NotSent == 0 && p99 < 100 : null));
        if (load.Plan.Model is not OpenModel { Rate: >= 1000 })
        {
            result.Notes.Add("The 1,000 orders/s target is only judged at --rate 1000 or more.");
        }

        if (load.HitRequestBound)
        {
            result.Notes.Add($"Stopped at {load.Plan.MaxRequests:N0} orders before the duration ended (each shopper keeps at most {OrdersPerShopper} orders' notifications): pass --users to raise it.");
        }

        return result;
    }
}
