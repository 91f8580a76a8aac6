namespace DaprShop.Bench.Shop;

/// <summary>One app of the shop as the bench's run file places it: its project folder, its ports and its environment.</summary>
internal sealed record ShopApp(string AppId, string Project, int AppPort, int DaprHttpPort, int DaprGrpcPort, IReadOnlyDictionary<string, string> Env)
{
    public const string Gateway = "auth-gateway";
    public const string Orders = "order-service";
    public const string Payments = "payment-service";
    public const string Notifications = "notification-service";

    public Uri AppUrl => new($"http://127.0.0.1:{AppPort}");

    public Uri SidecarUrl => new($"http://127.0.0.1:{DaprHttpPort}");
}
