using System.Net;

namespace DaprShop.Bench.Shop;

/// <summary>HTTP clients for the bench: HTTP/1.1 keep-alive to loopback, no proxy, no cookies, no redirects.</summary>
internal static class BenchHttp
{
    public static HttpClient Client(Uri baseAddress, TimeSpan timeout, int maxConnections = 256) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = baseAddress,
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    /// <summary>A client of a sidecar's Dapr API, which refuses any caller without its token (the runner gives each sidecar one).</summary>
    public static HttpClient SidecarClient(Uri baseAddress, string? token, TimeSpan timeout, int maxConnections = 256)
    {
        var client = Client(baseAddress, timeout, maxConnections);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Add(ShopApp.SidecarTokenHeader, token);
        }

        return client;
    }
}
