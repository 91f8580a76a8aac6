using DaprShop.Contracts.Payments;
using Microsoft.Extensions.Logging.Abstractions;
using OrderService.Tests.Fakes;
using PaymentService.Domain;

namespace PaymentService.Tests.Domain;

public class PaymentLedgerTests
{
    private readonly InMemoryAppStateStore state = new();

    private PaymentLedger Ledger() => new(state, TimeProvider.System, NullLogger<PaymentLedger>.Instance);

    [Fact]
    public async Task CaptureAsync_same_order_twice_One_payment()
    {
        var ledger = Ledger();

        var first = await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);
        var second = await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);

        Assert.Equal(first.PaymentId, second.PaymentId);
        Assert.Equal(first.PaymentId, (await ledger.FindAsync("o-1", CancellationToken.None))?.PaymentId);
    }

    [Fact]
    public async Task CaptureAsync_new_order_One_insert_no_read()
    {
        await Ledger().CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);

        Assert.Equal(0, state.Reads);
        Assert.Equal(1, state.Writes);
    }

    [Fact]
    public async Task CaptureAsync_concurrent_same_order_One_payment_id()
    {
        var ledger = Ledger();
        var request = new PaymentRequest("o-1", 10m, "EUR", "tok_visa");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ledger.CaptureAsync(request, CancellationToken.None))));

        var paymentId = Assert.Single(results.Select(payment => payment.PaymentId).Distinct());
        Assert.Equal(paymentId, (await ledger.FindAsync("o-1", CancellationToken.None))?.PaymentId);
    }

    [Fact]
    public async Task CaptureAsync_insert_lost_to_another_writer_Stored_payment()
    {
        var ledger = Ledger();
        var stored = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", "tok_decline"), "p-stored", DateTimeOffset.UtcNow);
        await state.TryInsertAsync(PaymentLedger.PaymentKey("o-1"), stored, CancellationToken.None);

        var payment = await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);

        Assert.Equal("p-stored", payment.PaymentId);
        Assert.Equal(PaymentStatus.Declined, payment.Status);
    }

    [Fact]
    public async Task RefundAsync_captured_Refunded_and_stored()
    {
        var ledger = Ledger();
        await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);

        var outcome = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Refunded, outcome.Kind);
        Assert.Equal(PaymentStatus.Refunded, (await ledger.FindAsync("o-1", CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task RefundAsync_twice_Refunded_without_second_write()
    {
        var ledger = Ledger();
        await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);
        await ledger.RefundAsync("o-1", CancellationToken.None);
        var writes = state.Writes;

        var outcome = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Refunded, outcome.Kind);
        Assert.Equal(writes, state.Writes);
    }

    [Fact]
    public async Task RefundAsync_no_payment_Voided_and_stored()
    {
        var outcome = await Ledger().RefundAsync("missing", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Voided, outcome.Kind);
        var stored = await Ledger().FindAsync("missing", CancellationToken.None);
        Assert.Equal(PaymentStatus.Voided, stored?.Status);
        Assert.Equal(0m, stored?.Amount);
    }

    [Fact]
    public async Task CaptureAsync_after_void_Voided_payment_no_charge()
    {
        var ledger = Ledger();
        var voided = await ledger.RefundAsync("o-1", CancellationToken.None);

        var late = await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);

        Assert.Equal(PaymentStatus.Voided, late.Status);
        Assert.Equal(voided.Payment!.PaymentId, late.PaymentId);
        Assert.Equal(0m, (await ledger.FindAsync("o-1", CancellationToken.None))?.Amount);
    }

    [Fact]
    public async Task RefundAsync_void_loses_to_concurrent_capture_Capture_refunded()
    {
        var ledger = Ledger();
        var key = PaymentLedger.PaymentKey("o-1");
        var captured = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), "p-captured", DateTimeOffset.UtcNow);

        // The capture lands between the refund's read (nothing there) and its insert of the void.
        state.BeforeNextWrite(key, () => state.Put(key, captured));
        var outcome = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Refunded, outcome.Kind);
        Assert.Equal("p-captured", outcome.Payment!.PaymentId);
        Assert.Equal(PaymentStatus.Refunded, (await ledger.FindAsync("o-1", CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task RefundAsync_voided_twice_Same_void_without_second_write()
    {
        var ledger = Ledger();
        var first = await ledger.RefundAsync("o-1", CancellationToken.None);
        var writes = state.Writes;

        var second = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Voided, second.Kind);
        Assert.Equal(first.Payment!.PaymentId, second.Payment!.PaymentId);
        Assert.Equal(writes, state.Writes);
    }

    [Fact]
    public async Task RefundAsync_declined_NotRefundable()
    {
        var ledger = Ledger();
        await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_decline"), CancellationToken.None);

        var outcome = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.NotRefundable, outcome.Kind);
    }

    [Fact]
    public async Task RefundAsync_etag_conflict_Retried_and_refunded()
    {
        var ledger = Ledger();
        await ledger.CaptureAsync(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), CancellationToken.None);
        state.InjectConflicts(PaymentLedger.PaymentKey("o-1"), 2);

        var outcome = await ledger.RefundAsync("o-1", CancellationToken.None);

        Assert.Equal(RefundOutcomeKind.Refunded, outcome.Kind);
        Assert.Equal(PaymentStatus.Refunded, (await ledger.FindAsync("o-1", CancellationToken.None))?.Status);
    }
}
