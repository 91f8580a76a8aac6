using System.Collections.Concurrent;
using OrderService.Domain;

namespace OrderService.Tests.Fakes;

/// <summary>
/// Answers like payment-service: captures once per order (idempotent), declines <c>tok_decline</c>, refunds a capture
/// once, voids an order refunded before any capture (a later capture then charges nothing), or is down. It can also
/// make the calling process "die" (<see cref="SimulatedCrashException"/>) just before or just after it does its work.
/// </summary>
public sealed class FakePaymentGateway : IPaymentGateway
{
    private readonly ConcurrentDictionary<string, Stored> payments = new(StringComparer.Ordinal);
    private int captureCalls;
    private int refundCalls;

    private enum Status
    {
        Captured,
        Declined,
        Refunded,
        Voided,
    }

    public bool Down { get; set; }

    /// <summary>The next capture throws <see cref="SimulatedCrashException"/>: before charging (<c>false</c>) or after (<c>true</c>).</summary>
    public bool? CrashOnNextCapture { get; set; }

    /// <summary>The next refund throws <see cref="SimulatedCrashException"/>: before refunding (<c>false</c>) or after (<c>true</c>).</summary>
    public bool? CrashOnNextRefund { get; set; }

    public int CaptureCalls => Volatile.Read(ref captureCalls);

    public int RefundCalls => Volatile.Read(ref refundCalls);

    /// <summary>Orders whose captured payment was refunded, with how many times money went back (never more than once).</summary>
    public ConcurrentDictionary<string, int> Refunds { get; } = new(StringComparer.Ordinal);

    /// <summary>How many orders were charged (captured, whether refunded later or not).</summary>
    public int Charges => payments.Values.Count(p => p.Status is Status.Captured or Status.Refunded);

    public bool IsVoided(string orderId) => payments.TryGetValue(orderId, out var stored) && stored.Status == Status.Voided;

    /// <summary>A capture for <paramref name="orderId"/> that someone else made first, of another amount or currency.</summary>
    public void CaptureFirst(string orderId, decimal amount, string currency) =>
        payments[orderId] = new Stored($"pay-{orderId}", Status.Captured, amount, currency);

    public Task<PaymentOutcome> CaptureAsync(OrderState order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        Interlocked.Increment(ref captureCalls);
        if (Down)
        {
            return Task.FromResult<PaymentOutcome>(new PaymentOutcome.Unavailable("payment-service answered 503"));
        }

        CrashIf(CrashOnNextCapture, after: false, () => CrashOnNextCapture = null);
        var stored = payments.GetOrAdd(order.OrderId, _ => new Stored($"pay-{order.OrderId}", order.PaymentMethod == "tok_decline" ? Status.Declined : Status.Captured, order.Total, order.Currency));
        CrashIf(CrashOnNextCapture, after: true, () => CrashOnNextCapture = null);
        return Task.FromResult<PaymentOutcome>(stored.Status switch
        {
            Status.Captured => new PaymentOutcome.Captured(stored.PaymentId, order.OrderId, stored.Amount, stored.Currency),
            Status.Declined => new PaymentOutcome.Declined(stored.PaymentId, "card_declined"),
            _ => new PaymentOutcome.Unavailable($"the order's payment is already {stored.Status}"),
        });
    }

    public Task<PaymentRefundOutcome> RefundAsync(string orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref refundCalls);
        if (Down)
        {
            return Task.FromResult(PaymentRefundOutcome.Unavailable);
        }

        CrashIf(CrashOnNextRefund, after: false, () => CrashOnNextRefund = null);
        var before = payments.GetOrAdd(orderId, id => new Stored($"void-{id}", Status.Voided, 0m, "XXX"));
        var after = before.Status == Status.Captured ? before with { Status = Status.Refunded } : before;
        if (after != before && payments.TryUpdate(orderId, after, before))
        {
            Refunds.AddOrUpdate(orderId, 1, (_, count) => count + 1);
        }

        CrashIf(CrashOnNextRefund, after: true, () => CrashOnNextRefund = null);
        return Task.FromResult(payments[orderId].Status switch
        {
            Status.Refunded => PaymentRefundOutcome.Refunded,
            Status.Voided => PaymentRefundOutcome.NoPayment,
            _ => PaymentRefundOutcome.NotRefundable,
        });
    }

    private static void CrashIf(bool? crash, bool after, Action disarm)
    {
        if (crash == after)
        {
            disarm();
            throw new SimulatedCrashException(after ? "the process died after payment did its work" : "the process died before payment was asked");
        }
    }

    private sealed record Stored(string PaymentId, Status Status, decimal Amount, string Currency);
}

/// <summary>The calling process dying at this point: whatever it had not saved is lost, and the test drops its actors.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
