using System.Net;
using System.Net.Sockets;

namespace DaprShop.Testing;

/// <summary>
/// Free TCP ports on loopback for servers a test starts. A port is handed out between being picked and
/// being bound by the server, so it is taken from below the kernel's ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>): the many outgoing connections the tests make (to
/// Redis, PostgreSQL, sidecars) take their local ports from that range and so can never grab one
/// in that gap. Each port is checked free by binding it and handed out at most once per process.
/// </summary>
public static class FreePort
{
    private const int LowestPort = 10_000;
    private static readonly object Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly (int Low, int High) Range = ReadRange();

    public static int Next() => Distinct(1)[0];

    /// <summary><paramref name="count"/> different free ports.</summary>
    public static IReadOnlyList<int> Distinct(int count)
    {
        lock (Gate)
        {
            var ports = new List<int>(count);
            var tries = 0;
            while (ports.Count < count)
            {
                if (++tries > 10_000)
                {
                    throw new InvalidOperationException($"no free loopback port found in {Range.Low}-{Range.High}");
                }

                var port = Random.Shared.Next(Range.Low, Range.High + 1);
                if (HandedOut.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                HandedOut.Add(port);
                ports.Add(port);
            }

            return ports;
        }
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
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

    /// <summary>The ports below the ephemeral range, or a fixed block if that range cannot be read.</summary>
    private static (int Low, int High) ReadRange()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var ephemeralLow = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
            if (ephemeralLow - 1 - LowestPort >= 2_000)
            {
                return (LowestPort, ephemeralLow - 1);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or no /proc: the fixed block below is below every common default range.
        }

        return (LowestPort, 29_999);
    }
}
