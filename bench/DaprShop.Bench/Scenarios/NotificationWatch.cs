using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>How long after the load the last placed order got its notification, if it did before the deadline.</summary>
/// <param name="Orders">Orders placed during measurement.</param>
/// <param name="Notified">Of those, how many had a notification by the end.</param>
/// <param name="AllNotifiedAfter">From the end of the load until every order had one; null when some had none by the deadline.</param>
/// <param name="Waited">How long the watch polled.</param>
/// <param name="Missing">The orders still without a notification, by the status their placement answered (201, 202).</param>
internal sealed record NotificationWait(int Orders, int Notified, TimeSpan? AllNotifiedAfter, TimeSpan Waited, IReadOnlyDictionary<int, int> Missing);

/// <summary>
/// Polls <c>GET /api/notifications</c> for each shopper that still has an order without a notification, a few
/// shoppers at a time, every <see cref="PollInterval"/>, until every order has one or the deadline passes.
/// </summary>
internal static class NotificationWatch
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<NotificationWait> WaitAsync(
        HttpClient gateway,
        IReadOnlyList<Shopper> shoppers,
        IReadOnlyCollection<PlacedOrder> orders,
        TimeSpan deadline,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shoppers);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(log);
        var pending = orders.GroupBy(o => o.Shopper).ToDictionary(g => g.Key, g => g.Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal));
        var started = Stopwatch.GetTimestamp();
        var lastLog = started;
        while (pending.Count > 0 && Stopwatch.GetElapsedTime(started) < deadline)
        {
            await Parallel.ForEachAsync(pending.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (entry, ct) =>
            {
                var notified = await NotifiedOrdersAsync(gateway, shoppers[entry.Key], ct);
                entry.Value.ExceptWith(notified);
            });

            foreach (var done in pending.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList())
            {
                pending.Remove(done);
            }

            if (Stopwatch.GetElapsedTime(lastLog) >= TimeSpan.FromSeconds(1) || pending.Count == 0)
            {
                lastLog = Stopwatch.GetTimestamp();
                await log.WriteLineAsync($"  notifications: {orders.Count - Remaining(pending):N0} of {orders.Count:N0} orders notified after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }

            if (pending.Count > 0)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        var waited = Stopwatch.GetElapsedTime(started);
        var status = orders.ToDictionary(o => o.OrderId, o => o.Status, StringComparer.Ordinal);
        var missing = pending.Values.SelectMany(p => p).GroupBy(id => status[id]).ToDictionary(g => g.Key, g => g.Count());
        return new NotificationWait(orders.Count, orders.Count - Remaining(pending), pending.Count == 0 ? waited : null, waited, missing);
    }

    private static int Remaining(Dictionary<int, HashSet<string>> pending) => pending.Values.Sum(p => p.Count);

    private static async Task<IEnumerable<string>> NotifiedOrdersAsync(HttpClient gateway, Shopper shopper, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/notifications");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", shopper.Token);
        using var response = await gateway.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return [.. json.RootElement.EnumerateArray()
            .Select(n => n.TryGetProperty("orderId", out var id) ? id.GetString() : null)
            .OfType<string>()];
    }
}
