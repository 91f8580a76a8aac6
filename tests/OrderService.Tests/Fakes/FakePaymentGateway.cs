using System.Collections.Concurrent;
using OrderService.Domain;

namespace OrderService.Tests.Fakes;

/// <summary>Answers like payment-service: captures once per order (idempotent), declines <c>tok_decline</c>, or is down.</summary>
public sealed class FakePaymentGateway : IPaymentGateway
{
    private readonly ConcurrentDictionary<string, PaymentOutcome> payments = new(StringComparer.Ordinal);

    public bool Down { get; set; }

    private int captureCalls;
    private int refundCalls;

    public int CaptureCalls => Volatile.Read(ref captureCalls);

    public int RefundCalls => Volatile.Read(ref refundCalls);

    public ConcurrentDictionary<string, bool> Refunded { get; } = new(StringComparer.Ordinal);

    public int Charges => payments.Count;

    public Task<PaymentOutcome> CaptureAsync(Order order, CancellationToken cancellationToken)
    {
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
        Refunded[orderId] = true;
        return RefundOutcome.Refunded;
    }
}
