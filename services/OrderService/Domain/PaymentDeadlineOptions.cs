namespace OrderService.Domain;

/// <summary>
/// How long an order may wait for payment, and how often it asks again meanwhile (configuration section
/// <c>Orders</c>: <c>Orders:PaymentWindow</c>, <c>Orders:PaymentRetry:BaseDelay</c>, <c>Orders:PaymentRetry:MaxDelay</c>).
/// </summary>
public sealed class PaymentDeadlineOptions
{
    public const string Section = "Orders";

    /// <summary>From the first deferred payment until an order still awaiting payment is cancelled.</summary>
    public TimeSpan PaymentWindow { get; set; } = TimeSpan.FromMinutes(15);

    public PaymentRetryOptions PaymentRetry { get; set; } = new();

    public bool IsValid() =>
        PaymentWindow > TimeSpan.Zero && PaymentRetry.BaseDelay > TimeSpan.Zero && PaymentRetry.MaxDelay >= PaymentRetry.BaseDelay;
}

/// <summary>Exponential backoff of the deferred-payment retries: base, 2 × base, 4 × base, ... up to the max.</summary>
public sealed class PaymentRetryOptions
{
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);
}
