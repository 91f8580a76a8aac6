using OrderService.Domain;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class PaymentRemindersTests
{
    private static readonly PaymentRetryOptions Retry = new() { BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(60) };

    [Fact]
    public void AfterChange_first_deferral_Start()
    {
        Assert.Equal(ReminderChange.Start, PaymentReminders.AfterChange(TestOrders.Placed(), TestOrders.Deferred()));
    }

    [Theory]
    [InlineData("confirmed")]
    [InlineData("rejected")]
    [InlineData("cancelled")]
    public void AfterChange_deferred_order_settled_Stop(string settled)
    {
        var after = settled switch
        {
            "confirmed" => TestOrders.Confirmed(),
            "rejected" => TestOrders.Rejected(),
            _ => TestOrders.Cancelled(),
        };

        Assert.Equal(ReminderChange.Stop, PaymentReminders.AfterChange(TestOrders.Deferred(), after));
    }

    [Fact]
    public void AfterChange_settled_without_deferral_Stop_only_the_retry()
    {
        Assert.Equal(ReminderChange.Stop, PaymentReminders.AfterChange(TestOrders.Placed(), TestOrders.Confirmed()));
        Assert.Equal([PaymentReminders.RetryPayment], PaymentReminders.RunningFor(TestOrders.Placed()));
    }

    [Fact]
    public void AfterChange_placed_or_still_deferred_None()
    {
        Assert.Equal(ReminderChange.None, PaymentReminders.AfterChange(null, TestOrders.Placed()));
        Assert.Equal(ReminderChange.None, PaymentReminders.AfterChange(TestOrders.Deferred(), TestOrders.Deferred()));
        Assert.Equal(ReminderChange.None, PaymentReminders.AfterChange(TestOrders.Confirmed(), TestOrders.Cancelled()));
    }

    [Fact]
    public void RunningFor_deferred_Window_and_retry_settled_None()
    {
        Assert.Equal([PaymentReminders.PaymentWindow, PaymentReminders.RetryPayment], PaymentReminders.RunningFor(TestOrders.Deferred()));
        Assert.Empty(PaymentReminders.RunningFor(TestOrders.Confirmed()));
        Assert.Empty(PaymentReminders.RunningFor(null));
    }

    [Fact]
    public void ShouldRetryPayment_only_while_awaiting_payment()
    {
        Assert.True(PaymentReminders.ShouldRetryPayment(TestOrders.Deferred()));
        Assert.True(PaymentReminders.ShouldRetryPayment(TestOrders.Placed()));
        Assert.False(PaymentReminders.ShouldRetryPayment(TestOrders.Confirmed()));
        Assert.False(PaymentReminders.ShouldRetryPayment(TestOrders.Cancelled()));
        Assert.False(PaymentReminders.ShouldRetryPayment(null));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 60)]
    [InlineData(6, 60)]
    [InlineData(1000, 60)]
    public void RetryDelay_attempt_Exponential_up_to_the_max(int attempt, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), PaymentReminders.RetryDelay(attempt, Retry));
    }

    [Fact]
    public void RetryDelay_attempt_zero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentReminders.RetryDelay(0, Retry));
    }

    [Fact]
    public void Options_defaults_valid_and_bad_values_invalid()
    {
        Assert.True(new PaymentDeadlineOptions().IsValid());
        Assert.Equal(TimeSpan.FromMinutes(15), new PaymentDeadlineOptions().PaymentWindow);
        Assert.False(new PaymentDeadlineOptions { PaymentWindow = TimeSpan.Zero }.IsValid());
        Assert.False(new PaymentDeadlineOptions { PaymentRetry = new() { BaseDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromMinutes(1) } }.IsValid());
    }
}
