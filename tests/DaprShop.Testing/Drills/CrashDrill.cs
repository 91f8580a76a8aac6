using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DaprShop.Testing.Drills;

/// <summary>
/// The crash drill: rounds of a burst of orders (paid by card, declined, some cancelled once placed), with one target
/// killed outright at a random moment of each burst (an app, which the runner starts again, or the runner with every
/// process it started, which the drill starts again). After each kill the drill checks, through the gateway and
/// payment-service's ledger only, DESIGN.md's crash invariants:
/// <list type="bullet">
/// <item>every order that was answered 201/202, and every order that exists, settles (Confirmed, Rejected, or Cancelled
/// when its cancellation was accepted; a confirmed order whose payment was refunded is still being cancelled) without
/// any client retrying; a client that got no answer and retries with the
/// same Idempotency-Key reaches an order that settles too;</item>
/// <item>one capture per confirmed order, matching the ledger; none per rejected one; a refund for each cancelled paid
/// order and no other; no payment captured for an order that is not confirmed;</item>
/// <item>each order's event log is contiguous from 1;</item>
/// <item>on a durable profile, exactly one notification per settling event (confirmed, rejected, cancelled).</item>
/// </list>
/// </summary>
public sealed class CrashDrill(IDrillShop shop, CrashDrillOptions options, Action<string> log)
{
    private static readonly string[] Final = ["Confirmed", "Rejected", "Cancelled"];
    private static readonly string[] Notifying = ["OrderConfirmed", "OrderRejected", "OrderCancelled"];

    /// <summary>Orders of earlier rounds: each round checks its own.</summary>
    private readonly HashSet<string> _earlier = new(StringComparer.Ordinal);

    private enum Kind
    {
        Paid,
        Declined,
        Cancelled,
    }

    public async Task<CrashDrillReport> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shop);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var report = new CrashDrillReport { Profile = shop.Profile, Seed = options.Seed };
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(5) };
        using var gateway = new HttpClient(handler) { BaseAddress = shop.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };

        var customers = new List<DrillCustomer>();
        for (var i = 0; i < options.Customers; i++)
        {
            customers.Add(await DrillCustomer.RegisterAsync(gateway, $"drill-{options.Seed}-{i}-{Guid.NewGuid():N}@drill.test", cancellationToken));
        }

        var soaking = Stopwatch.StartNew();
        for (var round = 1; round <= options.Rounds; round++)
        {
            if (options.Duration is { } duration && round > 1 && soaking.Elapsed >= duration)
            {
                log($"{duration} has passed after {round - 1} rounds: no round {round}");
                break;
            }

            var target = options.Targets[(round - 1) % options.Targets.Count];
            await RunRoundAsync(new Round(round, options.Seed + round, target), customers, report, cancellationToken);
            report.Rounds = round;
            report.KillsByTarget[target] = report.KillsByTarget.GetValueOrDefault(target) + 1;
        }

        return report;
    }

    private async Task RunRoundAsync(Round round, List<DrillCustomer> customers, CrashDrillReport report, CancellationToken cancellationToken)
    {
        log($"{round}: {options.OrdersPerRound} orders from {customers.Count} customers, {round.Target} killed during the burst");
        var random = new Random(round.Seed);
        var attempts = Enumerable.Range(0, options.OrdersPerRound)
            .Select(i => new Attempt(customers[random.Next(customers.Count)], PickKind(random), $"drill-{round.Seed}-{i}"))
            .ToList();
        var killAfter = random.Next(1, Math.Max(2, (options.OrdersPerRound / 2) + 1));
        var done = 0;
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task RunAsync(Attempt attempt, int index)
        {
            // Spread over about half a second, so that orders are still arriving when the kill comes.
            await Task.Delay(TimeSpan.FromMilliseconds(index * 20), cancellationToken);
            await attempt.PlaceAsync(cancellationToken);
            if (Interlocked.Increment(ref done) >= killAfter)
            {
                killNow.TrySetResult();
            }
        }

        var burst = Task.WhenAll(attempts.Select(RunAsync));
        await Task.WhenAny(killNow.Task, burst).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        log($"{round}: killing {round.Target} after {Volatile.Read(ref done)} of {attempts.Count} orders were answered");
        if (DrillTarget.IsApp(round.Target))
        {
            await shop.KillAppAsync(round.Target, cancellationToken);
            await burst;
        }
        else
        {
            await shop.KillRunnerAsync(cancellationToken);
            await burst;
            await shop.StartRunnerAsync(cancellationToken);
        }

        var restarted = Stopwatch.StartNew();
        report.Orders += attempts.Count;
        var answered = attempts.Where(a => a.Answered).ToList();
        report.Answered += answered.Count;
        log($"{round}: {answered.Count} answered 201/202 ({answered.Count(a => a.PlaceStatus == 202)} with 202), {attempts.Count(a => a.CancelStatus is not null)} cancellations asked");

        // Without any client retrying, everything that was answered or saved settles.
        var settled = await SettleAsync(round, customers, attempts, report, cancellationToken);
        if (settled)
        {
            report.Settled(restarted.Elapsed);
            log($"{round}: every order settled {restarted.Elapsed.TotalSeconds:0.0} s after the restart");
        }

        // Then the clients that got no answer try again with the same key, and reach an order that settles too.
        foreach (var attempt in attempts.Where(a => !a.Answered))
        {
            await RetryAsync(round, attempt, report, cancellationToken);
        }

        if (attempts.Any(a => a.Retried))
        {
            await SettleAsync(round, customers, attempts, report, cancellationToken);
        }

        var orders = await CheckOrdersAsync(round, customers, attempts, report, cancellationToken);
        if (shop.Profile != "embedded")
        {
            await CheckNotificationsAsync(round, customers, orders, report, cancellationToken);
        }

        foreach (var id in orders.Keys)
        {
            _earlier.Add(id);
        }
    }

    /// <summary>Waits until every order of the round exists (if it was answered) and is settled; false, with violations, at the deadline.</summary>
    private async Task<bool> SettleAsync(Round round, List<DrillCustomer> customers, List<Attempt> attempts, CrashDrillReport report, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var problems = new List<(string Kind, string Message)>();
            var listed = await ListAsync(customers, cancellationToken);
            if (listed is null)
            {
                problems.Add(("unavailable", "the shop does not list orders"));
            }
            else
            {
                foreach (var attempt in attempts.Where(a => a.OrderId is not null && (a.Answered || a.Retried)))
                {
                    if (!listed.TryGetValue(attempt.OrderId!, out var entry))
                    {
                        problems.Add(("lost", $"order {attempt.OrderId} ({attempt.Key}) was answered {attempt.PlaceStatus} but does not exist"));
                    }
                    else if (attempt.MustBeCancelled && entry.Status != "Cancelled")
                    {
                        problems.Add(("stuck", $"order {attempt.OrderId} is {entry.Status} though its cancellation was answered {attempt.CancelStatus}"));
                    }
                }

                foreach (var (id, entry) in listed.Where(o => !Final.Contains(o.Value.Status)))
                {
                    problems.Add(("stuck", $"order {id} is still {entry.Status}"));
                }

                if (problems.Count == 0)
                {
                    await AddCancellationsUnderWayAsync(listed, problems, cancellationToken);
                }
            }

            if (problems.Count == 0)
            {
                return true;
            }

            if (deadline.Elapsed > options.SettleTimeout)
            {
                foreach (var (kind, message) in problems)
                {
                    if (kind == "lost")
                    {
                        report.Lost++;
                    }
                    else
                    {
                        report.Stuck++;
                    }

                    report.Violation($"{round}: {message} {options.SettleTimeout.TotalSeconds:0} s after the restart");
                }

                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>
    /// A confirmed order whose payment was refunded is being cancelled (its cancel-order reminder saves the cancellation
    /// once the refund is answered, also when the refund landed after the process died): not settled yet.
    /// </summary>
    private async Task AddCancellationsUnderWayAsync(Dictionary<string, (DrillCustomer Customer, string Status)> listed, List<(string Kind, string Message)> problems, CancellationToken cancellationToken)
    {
        foreach (var (id, _) in listed.Where(o => o.Value.Status == "Confirmed"))
        {
            var payment = await shop.ReadPaymentAsync(id, cancellationToken);
            if (payment?["status"]?.GetValue<string>() == "Refunded")
            {
                problems.Add(("stuck", $"order {id} is Confirmed with its payment refunded: its cancellation never completed"));
            }
        }
    }

    private static async Task RetryAsync(Round round, Attempt attempt, CrashDrillReport report, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await attempt.PlaceAsync(cancellationToken, retry: true);
            if (attempt.Answered)
            {
                return;
            }

            // A 4xx is final; no answer or a 5xx may be the shop still coming up.
            if (attempt.PlaceStatus is >= 400 and < 500 || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                report.RetriesRefused++;
                report.Violation($"{round}: retrying {attempt.Key} with the same Idempotency-Key answered {attempt.PlaceStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>Checks every order of the round against its log and the payment ledger; returns them (id → log).</summary>
    private async Task<Dictionary<string, JsonArray>> CheckOrdersAsync(Round round, List<DrillCustomer> customers, List<Attempt> attempts, CrashDrillReport report, CancellationToken cancellationToken)
    {
        var listed = await Eventually.WaitAsync(() => ListAsync(customers, cancellationToken), l => l is not null, TimeSpan.FromSeconds(30), "the shop to list orders");
        var logs = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var (orderId, (customer, status)) in listed!)
        {
            var events = await Eventually.WaitAsync(() => customer.EventsAsync(orderId, cancellationToken), e => e is not null, TimeSpan.FromSeconds(30), $"the events of order {orderId}");
            logs[orderId] = events!;
            var types = events!.Select(e => e!["type"]!.GetValue<string>()).ToList();
            var sequences = events!.Select(e => e!["sequence"]!.GetValue<int>()).ToList();
            if (!sequences.SequenceEqual(Enumerable.Range(1, sequences.Count)))
            {
                report.BrokenLogs++;
                report.Violation($"{round}: order {orderId}'s log is not contiguous: {string.Join(',', sequences)}");
            }

            var captures = events!.Where(e => e!["type"]!.GetValue<string>() == "PaymentCaptured").ToList();
            if (captures.Count > 1)
            {
                report.DoubleCaptures++;
                report.Violation($"{round}: order {orderId} has {captures.Count} captures in its log");
            }

            var payment = await shop.ReadPaymentAsync(orderId, cancellationToken);
            var paid = payment?["status"]?.GetValue<string>();
            var refundedInLog = types.Contains("PaymentRefunded");
            switch (status)
            {
                case "Confirmed" when paid != "Captured" || captures.Count == 0:
                    report.PaymentMismatches++;
                    report.Violation($"{round}: order {orderId} is Confirmed, but its payment is {paid ?? "missing"}");
                    break;
                case "Confirmed" when (captures[0]!["data"]?["paymentId"]?.GetValue<string>() != payment!["paymentId"]?.GetValue<string>()):
                    report.DoubleCaptures++;
                    report.Violation($"{round}: order {orderId} was confirmed with payment {captures[0]!["data"]?["paymentId"]}, the ledger holds {payment!["paymentId"]}");
                    break;
                case "Rejected" or "Cancelled" when paid == "Captured":
                    report.PaidNotConfirmed++;
                    report.Violation($"{round}: order {orderId} is {status}, but its payment is captured and not refunded");
                    break;
                case "Rejected" when paid != "Declined" || captures.Count > 0:
                    report.PaymentMismatches++;
                    report.Violation($"{round}: order {orderId} is Rejected, but its payment is {paid ?? "missing"}");
                    break;
                case "Cancelled" when refundedInLog != (paid == "Refunded"):
                    report.PaymentMismatches++;
                    report.Violation($"{round}: order {orderId} is Cancelled with{(refundedInLog ? "" : "out")} a refund in its log, but its payment is {paid ?? "missing"}");
                    break;
            }
        }

        foreach (var attempt in attempts.Where(a => a.OrderId is not null && a.Answered && !listed!.ContainsKey(a.OrderId!)))
        {
            report.Violation($"{round}: order {attempt.OrderId} is not in its owner's list when checked");
        }

        return logs;
    }

    private async Task CheckNotificationsAsync(Round round, List<DrillCustomer> customers, Dictionary<string, JsonArray> logs, CrashDrillReport report, CancellationToken cancellationToken)
    {
        var expected = logs
            .SelectMany(o => o.Value.Select(e => e!["type"]!.GetValue<string>()).Where(Notifying.Contains).Select(type => (OrderId: o.Key, Type: type)))
            .ToHashSet();
        var deadline = Stopwatch.StartNew();
        Dictionary<(string OrderId, string Type), int> seen;
        while (true)
        {
            seen = [];
            foreach (var customer in customers)
            {
                var notifications = await customer.NotificationsAsync(cancellationToken) ?? [];
                foreach (var n in notifications)
                {
                    var key = (n!["orderId"]?.GetValue<string>() ?? string.Empty, n["eventType"]?.GetValue<string>() ?? string.Empty);
                    if (expected.Contains(key))
                    {
                        seen[key] = seen.GetValueOrDefault(key) + 1;
                    }
                }
            }

            if (expected.All(seen.ContainsKey) || deadline.Elapsed > options.SettleTimeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        foreach (var missing in expected.Where(e => !seen.ContainsKey(e)))
        {
            report.MissingNotifications = (report.MissingNotifications ?? 0) + 1;
            report.Violation($"{round}: no {missing.Type} notification for order {missing.OrderId}");
        }

        foreach (var (key, count) in seen.Where(s => s.Value > 1))
        {
            report.DuplicateNotifications = (report.DuplicateNotifications ?? 0) + 1;
            report.Violation($"{round}: {count} {key.Type} notifications for order {key.OrderId}");
        }

        report.MissingNotifications ??= 0;
        report.DuplicateNotifications ??= 0;
    }

    /// <summary>The round's orders as their owners list them (id → owner, status), or null when the shop does not answer.</summary>
    private async Task<Dictionary<string, (DrillCustomer Customer, string Status)>?> ListAsync(List<DrillCustomer> customers, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, (DrillCustomer, string)>(StringComparer.Ordinal);
        foreach (var customer in customers)
        {
            if (await customer.OrdersAsync(cancellationToken) is not { } orders)
            {
                return null;
            }

            foreach (var (id, status) in orders.Where(o => !_earlier.Contains(o.Key)))
            {
                all[id] = (customer, status);
            }
        }

        return all;
    }

    private static Kind PickKind(Random random) => random.Next(10) switch
    {
        < 6 => Kind.Paid,
        < 8 => Kind.Declined,
        _ => Kind.Cancelled,
    };

    private sealed record Round(int Number, int Seed, string Target)
    {
        public override string ToString() => $"round {Number} (seed {Seed}, kill {Target})";
    }

    private sealed class Attempt(DrillCustomer customer, Kind kind, string key)
    {
        public string Key => key;

        public int? PlaceStatus { get; private set; }

        public string? OrderId { get; private set; }

        public int? CancelStatus { get; private set; }

        public bool Retried { get; private set; }

        public bool Answered => PlaceStatus is 201 or 202 && OrderId is not null;

        /// <summary>A cancellation answered 200 (done) or 202 (completes on its own) must end Cancelled.</summary>
        public bool MustBeCancelled => CancelStatus is 200 or 202;

        public async Task PlaceAsync(CancellationToken cancellationToken, bool retry = false)
        {
            Retried |= retry;
            (PlaceStatus, OrderId) = await customer.PlaceAsync(kind == Kind.Declined ? "tok_decline" : "tok_visa", key, cancellationToken);
            if (!retry && kind == Kind.Cancelled && Answered)
            {
                CancelStatus = await customer.CancelAsync(OrderId!, cancellationToken);
            }
        }
    }
}
