namespace DaprShop.Contracts.Payments;

/// <summary>payment-service method names, as used in Dapr service invocation.</summary>
public static class PaymentRoutes
{
    public const string Payments = "payments";

    public static string Refund(string orderId) => $"payments/{Uri.EscapeDataString(orderId)}/refund";
}
