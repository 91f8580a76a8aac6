using DaprShop.Contracts.Payments;
using PaymentService.Domain;

namespace PaymentService.Tests.Domain;

public class PaymentTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Charge_any_token_but_decline_Captured()
    {
        var payment = Payment.Charge(new PaymentRequest("o-1", 25.50m, "eur", "tok_visa"), "p-1", Now);

        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Null(payment.Reason);
        Assert.Equal("EUR", payment.Currency);
        Assert.Equal(25.50m, payment.Amount);
    }

    [Theory]
    [InlineData("tok_decline")]
    [InlineData("TOK_DECLINE")]
    public void Charge_tok_decline_Declined_with_reason(string token)
    {
        var payment = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", token), "p-1", Now);

        Assert.Equal(PaymentStatus.Declined, payment.Status);
        Assert.Equal(Payment.CardDeclinedReason, payment.Reason);
    }

    [Fact]
    public void Refund_captured_Refunded_with_time()
    {
        var payment = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), "p-1", Now);

        var refunded = payment.Refund(Now.AddMinutes(1));

        Assert.Equal(PaymentStatus.Refunded, refunded.Status);
        Assert.Equal(Now.AddMinutes(1), refunded.RefundedAt);
    }

    [Fact]
    public void Refund_refunded_same_instance()
    {
        var refunded = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), "p-1", Now).Refund(Now);

        Assert.Same(refunded, refunded.Refund(Now.AddDays(1)));
    }

    [Fact]
    public void Refund_declined_throws()
    {
        var declined = Payment.Charge(new PaymentRequest("o-1", 10m, "EUR", "tok_decline"), "p-1", Now);

        Assert.False(declined.CanRefund);
        Assert.Throws<InvalidOperationException>(() => declined.Refund(Now));
    }
}
