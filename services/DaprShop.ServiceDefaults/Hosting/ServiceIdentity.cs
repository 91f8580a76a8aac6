using Microsoft.Extensions.Hosting;

namespace DaprShop.ServiceDefaults.Hosting;

internal static class ServiceIdentity
{
    /// <summary>The Dapr app id the runner sets in <c>APP_ID</c>, else the application's name.</summary>
    public static string Name(IHostApplicationBuilder builder)
    {
        var appId = builder.Configuration["APP_ID"];
        return string.IsNullOrWhiteSpace(appId) ? builder.Environment.ApplicationName : appId;
    }
}
