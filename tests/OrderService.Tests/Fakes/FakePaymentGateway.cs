using System.Collections.Concurrent;
using OrderService.Domain;

namespace OrderService.Tests.Fakes;

/// <summary>Answers like payment-service: captures once per order (idempotent), declines <c>tok_decline</c>, or is down.</summary>
public sealed class FakePaymentGateway : IPaymentGateway
{
    private readonly ConcurrentDictionary<string, PaymentOutcome> payments = new(StringComparer.Ordinal);
    private int captureCalls;
    private int refundCalls;

    public bool Down { get; set; }

    public int CaptureCalls => Volatile.Read(ref captureCalls);

    public int RefundCalls => Volatile.Read(ref refundCalls);

    public ConcurrentDictionary<string, int> Refunds { get; } = new(StringComparer.Ordinal);

    public int Charges => payments.Count;

    public Task<PaymentOutcome> CaptureAsync(OrderState order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        Interlocked.Increment(ref captureCalls);
        if (Down)
        {
            return Task.FromResult<PaymentOutcome>(new PaymentOutcome.Unavailable("payment-service answered 503"));
        }

        return Task.FromResult(payments.GetOrAdd(order.OrderId, _ => order.PaymentMethod == "tok_decline"
            ? new PaymentOutcome.Declined($"pay-{order.OrderId}", "card_declined")
            : new PaymentOutcome.Captured($"pay-{order.OrderId}")));
    }

    public Task<RefundOutcome> RefundAsync(string orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref refundCalls);
        if (Down)
        {
            return Task.FromResult(RefundOutcome.Unavailable);
        }

        return Task.FromResult(payments.TryGetValue(orderId, out var payment) switch
        {
            false => RefundOutcome.NoPayment,
            true when payment is PaymentOutcome.Declined => RefundOutcome.NotRefundable,
            _ => MarkRefunded(orderId),
        });
    }

    private RefundOutcome MarkRefunded(string orderId)
    {
        Refunds.AddOrUpdate(orderId, 1, (_, count) => count + 1);
        return RefundOutcome.Refunded;
    }
}
