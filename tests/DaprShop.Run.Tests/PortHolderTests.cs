using System.Net;
using System.Net.Sockets;
using DaprShop.Run.Supervision;

namespace DaprShop.Run.Tests;

public sealed class PortHolderTests : IDisposable
{
    private readonly TempFolder _proc = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void A_listener_of_this_process_on_127_0_0_1_is_found_with_this_process_s_pid_and_command_line()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var holder = PortHolder.Find(((IPEndPoint)listener.LocalEndpoint).Port);

            Assert.NotNull(holder);
            Assert.Equal(Environment.ProcessId, holder.Pid);
            Assert.InRange(holder.CommandLine.Length, 1, PortHolder.MaxCommandLine);
            Assert.DoesNotContain('\0', holder.CommandLine);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_port_nobody_listens_on_has_no_holder()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.Null(PortHolder.Find(port));
    }

    [Fact]
    public void Listeners_on_any_address_and_dual_stack_IPv6_count_and_other_addresses_and_states_do_not()
    {
        Tables(
            tcp:
            [
                "   0: 0100007F:1F91 00000000:0000 06 00000000:00000000 00:00000000 00000000  1000        0 0 1",
                "   1: 0100007F:1F91 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 111 1",
                "   2: 0500000A:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1",
                "   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 333 1",
            ],
            tcp6:
            [
                "   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1",
            ]);
        Process(100, "/usr/bin/python3\0-m\0http.server\0", "socket:[111]", "socket:[222]");
        Process(200, "/usr/lib/dotnet/dotnet\0/srv/shop/OrderService.dll\0", "pipe:[7]", "socket:[444]");
        Process(300, "nginx: master process\0", "socket:[333]");

        Assert.Equal(new PortHolder(200, "dotnet /srv/shop/OrderService.dll"), PortHolder.Find(8081, _proc.Path));
        Assert.Equal("pid 300 (nginx: master process)", PortHolder.Find(8080, _proc.Path)?.ToString());
        Assert.Null(PortHolder.Find(8082, _proc.Path));
    }

    [Fact]
    public void A_v4_mapped_loopback_listener_counts_and_a_long_command_line_is_shortened()
    {
        Tables(
            tcp: [],
            tcp6: ["   0: 0000000000000000FFFF00000100007F:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1"]);
        Process(400, $"/opt/app/server\0--config\0/{new string('x', 200)}\0", "socket:[555]");

        var holder = PortHolder.Find(3000, _proc.Path);

        Assert.NotNull(holder);
        Assert.Equal(PortHolder.MaxCommandLine, holder.CommandLine.Length);
        Assert.StartsWith("server --config /xxx", holder.CommandLine, StringComparison.Ordinal);
        Assert.EndsWith("...", holder.CommandLine, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listening_socket_that_no_readable_process_holds_has_no_holder()
    {
        Tables(tcp: ["   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 666 1"], tcp6: []);
        _proc.File("500/cmdline", "sleep\0");

        Assert.Null(PortHolder.Find(8080, _proc.Path));
    }

    private void Tables(string[] tcp, string[] tcp6)
    {
        const string Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        _proc.File("net/tcp", string.Join('\n', [Header, .. tcp]) + "\n");
        _proc.File("net/tcp6", string.Join('\n', [Header, .. tcp6]) + "\n");
    }

    private void Process(int pid, string commandLine, params string[] descriptors)
    {
        _proc.File($"{pid}/cmdline", commandLine);
        var fd = _proc.Folder($"{pid}/fd");
        for (var i = 0; i < descriptors.Length; i++)
        {
            File.CreateSymbolicLink(Path.Combine(fd, (i + 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), descriptors[i]);
        }
    }
}
