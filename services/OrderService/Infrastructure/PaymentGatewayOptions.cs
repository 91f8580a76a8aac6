namespace OrderService.Infrastructure;

public sealed class PaymentGatewayOptions
{
    public const string Section = "Orders:Payment";

    /// <summary>How long to wait for payment before the order is left <c>AwaitingPayment</c> (answer 202).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(4);
}
