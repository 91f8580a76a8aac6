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
/// <param name="Lags">For each notified order, from its request leaving the bench to its first notification's <c>sentAt</c>.</param>
internal sealed record NotificationWait(int Orders, int Notified, TimeSpan? AllNotifiedAfter, TimeSpan Waited, IReadOnlyDictionary<int, int> Missing, IReadOnlyList<TimeSpan> Lags)
{
    /// <summary>The lag at <paramref name="percentile"/> (0 to 100), or null without notified orders.</summary>
    public TimeSpan? LagAt(double percentile)
    {
        if (Lags.Count == 0)
        {
            return null;
        }

        var sorted = Lags.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Waits for every order's notification. The subscriber receives the topic in publication order, so first only the
/// shopper of the last order answered is polled, every <see cref="PollInterval"/>, until that order is notified;
/// then <c>GET /api/notifications</c> of every shopper with an order not yet seen confirms the rest, a few shoppers
/// at a time, and is repeated for what is still missing until the deadline. Polling every shopper from the start
/// (hundreds of requests a round, each answering a list of up to 500 notifications) slowed the very delivery it waited for.
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
        var firstSent = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        var lastLog = started;
        TimeSpan? lastNotifiedAt = null;
        if (orders.LastOrDefault() is { } last)
        {
            while (Stopwatch.GetElapsedTime(started) < deadline)
            {
                var seen = await NotifiedOrdersAsync(gateway, shoppers[last.Shopper], cancellationToken);
                Record(firstSent, seen);
                if (seen.Any(n => n.OrderId == last.OrderId))
                {
                    lastNotifiedAt = Stopwatch.GetElapsedTime(started);
                    break;
                }

                if (Stopwatch.GetElapsedTime(lastLog) >= TimeSpan.FromSeconds(1))
                {
                    lastLog = Stopwatch.GetTimestamp();
                    await log.WriteLineAsync($"  notifications: waiting for the last order's after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        // At least one confirming round, even past the deadline, so that the report counts what did arrive.
        var rounds = 0;
        while (pending.Count > 0 && (rounds == 0 || Stopwatch.GetElapsedTime(started) < deadline))
        {
            rounds++;
            await Parallel.ForEachAsync(pending.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (entry, ct) =>
            {
                var notified = await NotifiedOrdersAsync(gateway, shoppers[entry.Key], ct);
                Record(firstSent, notified);
                entry.Value.ExceptWith(notified.Select(n => n.OrderId));
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

        // When the first confirming round found every order, they were all notified by the time the last one was.
        var allNotifiedAfter = pending.Count > 0 ? (TimeSpan?)null : rounds == 1 && lastNotifiedAt is { } at ? at : waited;
        var lags = orders.Where(o => firstSent.ContainsKey(o.OrderId)).Select(o => firstSent[o.OrderId] - o.SentAt).ToList();
        return new NotificationWait(orders.Count, orders.Count - Remaining(pending), allNotifiedAfter, waited, missing, lags);
    }

    /// <summary>Keeps each order's earliest notification time.</summary>
    private static void Record(System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> firstSent, IEnumerable<(string OrderId, DateTimeOffset SentAt)> notifications)
    {
        foreach (var (orderId, sentAt) in notifications)
        {
            firstSent.AddOrUpdate(orderId, sentAt, (_, earlier) => sentAt < earlier ? sentAt : earlier);
        }
    }

    private static int Remaining(Dictionary<int, HashSet<string>> pending) => pending.Values.Sum(p => p.Count);

    private static async Task<List<(string OrderId, DateTimeOffset SentAt)>> NotifiedOrdersAsync(HttpClient gateway, Shopper shopper, CancellationToken cancellationToken)
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
        var notified = new List<(string, DateTimeOffset)>();
        foreach (var notification in json.RootElement.EnumerateArray())
        {
            if (notification.TryGetProperty("orderId", out var id) && id.GetString() is { } orderId
                && notification.TryGetProperty("sentAt", out var sent) && sent.TryGetDateTimeOffset(out var sentAt))
            {
                notified.Add((orderId, sentAt));
            }
        }

        return notified;
    }
}
