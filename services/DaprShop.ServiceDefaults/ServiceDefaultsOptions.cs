namespace DaprShop.ServiceDefaults;

public sealed class ServiceDefaultsOptions
{
    /// <summary>
    /// When true (the default) and <c>APP_API_TOKEN</c> is set, every request but <c>/healthz</c> must carry
    /// header <c>dapr-api-token</c> with that value, which only the app's own sidecar sends.
    /// The gateway, the shop's public door, turns this off.
    /// </summary>
    public bool RequireAppApiToken { get; set; } = true;

    /// <summary>
    /// When true, Swagger (the document and the UI) is served only in the Development environment. The gateway, whose
    /// port is public, turns this on; the internal apps keep Swagger behind their app token.
    /// </summary>
    public bool SwaggerInDevelopmentOnly { get; set; }
}
