namespace DaprShop.ServiceDefaults;

public sealed class ServiceDefaultsOptions
{
    /// <summary>
    /// When true (the default) and <c>APP_API_TOKEN</c> is set, every request but <c>/healthz</c> must carry
    /// header <c>dapr-api-token</c> with that value, which only the app's own sidecar sends.
    /// The gateway, the shop's public door, turns this off.
    /// </summary>
    public bool RequireAppApiToken { get; set; } = true;
}
