using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// Waits out, after the warm-up, the notifications of the orders placed before measuring (priming and warm-up), and
/// keeps what the wait found for the report. The warm-up runs while the apps are still compiling their hot paths, so
/// notification-service falls behind there; without this wait the measured orders queue behind that backlog, and their
/// lag says how long the warm-up's backlog took to drain rather than whether notifications keep up at the phase's rate.
/// </summary>
internal sealed class WarmupBacklog(HttpClient poller, IReadOnlyList<Shopper> shoppers, TimeSpan deadline, TextWriter log)
{
    /// <summary>The wait's outcome; null until the warm-up ended (or when there was none).</summary>
    public NotificationWait? Result { get; private set; }

    public async Task WaitAsync(IReadOnlyCollection<PlacedOrder> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        await log.WriteLineAsync($"  warm-up over: waiting for the notifications of its {orders.Count:N0} orders before measuring");
        Result = await NotificationWatch.WaitAsync(poller, shoppers, orders, deadline, log, cancellationToken);
    }

    /// <summary>A line for the report's notes: how long the warm-up's backlog took to drain, or what was left of it.</summary>
    public string? Describe() => Result switch
    {
        null => null,
        { AllNotifiedAfter: { } after } r => $"the {r.Orders:N0} orders placed before measuring (priming and warm-up) all had their notification {after.TotalSeconds:0.0} s after the warm-up ended; measuring started then",
        var r => $"of the {r.Orders:N0} orders placed before measuring, {r.Orders - r.Notified:N0} still had no notification {r.Waited.TotalSeconds:0} s after the warm-up; measuring started anyway, behind that backlog",
    };
}
