namespace DaprShop.Bench.Shop;

/// <summary>One app of the shop as the bench's run file places it: its project folder, its ports and its environment.</summary>
internal sealed record ShopApp(string AppId, string Project, int AppPort, int DaprHttpPort, int DaprGrpcPort, IReadOnlyDictionary<string, string> Env)
{
    public const string Gateway = "auth-gateway";
    public const string Orders = "order-service";
    public const string Payments = "payment-service";
    public const string Notifications = "notification-service";

    /// <summary>The environment variable with which the run file gives an app's sidecar its Dapr API token.</summary>
    public const string SidecarTokenVariable = "DAPR_API_TOKEN";

    /// <summary>The header a caller of a sidecar's API sends its token in (the sidecar refuses a call without it, 401).</summary>
    public const string SidecarTokenHeader = "dapr-api-token";

    public Uri AppUrl => new($"http://127.0.0.1:{AppPort}");

    public Uri SidecarUrl => new($"http://127.0.0.1:{DaprHttpPort}");

    /// <summary>The Dapr API token its sidecar asks of every caller.</summary>
    public string SidecarToken => Env[SidecarTokenVariable];
}
