using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace DaprShop.ServiceDefaults.Hosting;

internal static class AppPortBinding
{
    /// <summary>
    /// When the Dapr CLI (or the local runner) says which port the app owns, listen there on loopback only:
    /// callers reach the app through its sidecar. Explicit URLs or Kestrel endpoints win.
    /// </summary>
    public static void BindToAppPort(this WebApplicationBuilder builder)
    {
        var appPort = builder.Configuration["APP_PORT"];
        if (string.IsNullOrWhiteSpace(appPort) || HasExplicitAddresses(builder))
        {
            return;
        }

        if (!int.TryParse(appPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"APP_PORT must be a TCP port number, but it is '{appPort}'.");
        }

        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    }

    private static bool HasExplicitAddresses(WebApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpsPortsKey])
        || builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
