using DaprShop.Contracts;

namespace AuthGateway.Forwarding;

/// <summary>A public path prefix the gateway forwards to an app's method root through Dapr service invocation.</summary>
public sealed record ForwardedRoute(string PublicPrefix, string AppId, string MethodRoot)
{
    public const string ApiPrefix = "/api";

    /// <summary><c>/api/orders/**</c> → order-service <c>orders/**</c>; <c>/api/notifications/**</c> → notification-service <c>notifications/**</c>.</summary>
    public static IReadOnlyList<ForwardedRoute> All { get; } =
    [
        new($"{ApiPrefix}/orders", DaprAppIds.OrderService, "orders"),
        new($"{ApiPrefix}/notifications", DaprAppIds.NotificationService, "notifications"),
    ];

    public string RouteId => AppId;

    /// <summary>Matches the prefix itself too: a catch-all parameter may be empty.</summary>
    public string MatchPath => $"{PublicPrefix}/{{**rest}}";

    /// <summary>The sidecar path the app's method root lives under.</summary>
    public string InvokePrefix => $"/v1.0/invoke/{AppId}/method";
}
