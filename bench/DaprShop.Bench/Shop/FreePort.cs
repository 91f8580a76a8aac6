using System.Net;
using System.Net.Sockets;

namespace DaprShop.Bench.Shop;

/// <summary>Free TCP ports on loopback, picked by the OS.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
