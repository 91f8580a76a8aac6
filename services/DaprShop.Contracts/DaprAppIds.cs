namespace DaprShop.Contracts;

/// <summary>The fixed Dapr app ids of the shop's services.</summary>
public static class DaprAppIds
{
    public const string AuthGateway = "auth-gateway";

    public const string OrderService = "order-service";

    public const string PaymentService = "payment-service";

    public const string NotificationService = "notification-service";
}
