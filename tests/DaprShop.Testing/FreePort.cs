using System.Net;
using System.Net.Sockets;

namespace DaprShop.Testing;

/// <summary>Free TCP ports on loopback, picked by the OS.</summary>
public static class FreePort
{
    public static int Next() => Distinct(1)[0];

    /// <summary>
    /// <paramref name="count"/> different free ports: every listener stays open until all are picked, so the OS cannot
    /// hand out the same port twice (as separate <see cref="Next"/> calls may).
    /// </summary>
    public static IReadOnlyList<int> Distinct(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
