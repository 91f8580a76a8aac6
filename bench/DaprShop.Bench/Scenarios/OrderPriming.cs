using System.Diagnostics;
using System.Net;
using DaprShop.Bench.Load;

namespace DaprShop.Bench.Scenarios;

/// <summary>What priming took: the orders placed one at a time until one was confirmed at once (201), and how long.</summary>
internal sealed record PrimingResult(int Orders, TimeSpan Took, bool Confirmed)
{
    public string Describe() => Confirmed
        ? $"before the warm-up, orders were placed one at a time until one was confirmed at once (201): {Orders} in {Took.TotalSeconds:0.00} s"
        : $"before the warm-up, {Orders} orders placed one at a time in {Took.TotalSeconds:0.0} s were never confirmed at once (201): the shop was not warm when the load began";
}

/// <summary>
/// Places orders one at a time until one is confirmed at once (201), within a deadline: a cold shop (JIT,
/// connections, the state store) can take longer than the resiliency policy's per-attempt timeout on its first
/// payment calls, and a burst of such calls under load would trip order-service's breaker for its whole open
/// timeout; single calls warm it up without that.
/// </summary>
internal static class OrderPriming
{
    private static readonly string Confirmed = Outcome.Status(HttpStatusCode.Created, expected: true).Kind;

    public static async Task<PrimingResult> RunAsync(OrderWorkload orders, TimeSpan deadline, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(log);
        var started = Stopwatch.GetTimestamp();
        var placed = 0;
        var confirmed = false;
        while (!confirmed && Stopwatch.GetElapsedTime(started) < deadline)
        {
            confirmed = (await orders.SendAsync(placed++, cancellationToken)).Kind == Confirmed;
        }

        var result = new PrimingResult(placed, Stopwatch.GetElapsedTime(started), confirmed);
        await log.WriteLineAsync($"Primed: {result.Describe()}.");
        return result;
    }
}
