using System.Net;
using System.Net.Sockets;

namespace DaprShop.Run.Supervision;

/// <summary>Whether a TCP port on loopback is free, found by listening on it for a moment.</summary>
public static class PortCheck
{
    public static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (!OperatingSystem.IsWindows())
        {
            // As Kestrel does: a port whose last connections are still in TIME_WAIT (a run that just
            // stopped) is free; one with a listener is not.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port on loopback no one listens on now, picked by the OS.</summary>
    public static int AnyFree()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
