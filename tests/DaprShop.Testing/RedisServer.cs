using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DaprShop.Testing;

/// <summary>
/// A private <c>redis-server</c> (Debian's package; <c>.ci/run</c> installs it) on a free loopback port, with its
/// files in a temp folder, stopped with the test process. <see cref="Shared"/> is one server per test process; each
/// test takes its own database (<see cref="NextDatabase"/>), so tests running side by side never see each other's
/// keys or streams. <see cref="Start"/> gives a server of a test's own, for tests that stop and restart it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Databases per server: one per test that asks, with room to spare.</summary>
    public const int Databases = 10_000;

    private static readonly Lazy<RedisServer> SharedServer = new(() =>
    {
        var server = Start("shared", durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    });

    private readonly string _folder;
    private readonly bool _durable;
    private Process? _process;
    private int _nextDatabase;

    private RedisServer(string folder, int port, bool durable)
    {
        _folder = folder;
        Port = port;
        _durable = durable;
    }

    /// <summary>The server every test of this process shares (started on first use).</summary>
    public static RedisServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary><c>127.0.0.1:{port}</c>, as a component's <c>redisHost</c>.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a server of its own. <paramref name="durable"/>: an append-only file synced on every write, so a restart
    /// keeps everything it acknowledged (as a production Redis is configured); otherwise no persistence at all.
    /// </summary>
    public static RedisServer Start(string name, bool durable = true)
    {
        var folder = Directory.CreateTempSubdirectory($"daprshop-redis-{name}-").FullName;
        var server = new RedisServer(folder, FreePort.Next(), durable);
        server.Launch();
        return server;
    }

    /// <summary>A database number no other test of this process has been given.</summary>
    public int NextDatabase()
    {
        var database = Interlocked.Increment(ref _nextDatabase);
        return database < Databases ? database : throw new InvalidOperationException($"all {Databases} databases of the test Redis are taken");
    }

    /// <summary>Kills the server at once (as a crash would); <see cref="Restart"/> starts it again on the same port and files.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public void Restart()
    {
        Kill();
        Launch();
    }

    /// <summary>Runs one command with redis-cli-like plain text arguments and returns the raw RESP reply (for layout checks).</summary>
    public async Task<string> CommandAsync(int database, params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        var request = new StringBuilder();
        void Append(params string[] parts)
        {
            request.Append(CultureInfo.InvariantCulture, $"*{parts.Length}\r\n");
            foreach (var part in parts)
            {
                request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
            }
        }

        Append("SELECT", database.ToString(CultureInfo.InvariantCulture));
        Append(args);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var reply = await reader.ReadToEndAsync();
        return reply["+OK\r\n".Length..];
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await Task.CompletedTask;
    }

    private void Stop()
    {
        Kill();
        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned up by the system eventually.
        }
    }

    private void Launch()
    {
        var executable = FindExecutable("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed: `apt-get install redis-server` (.ci/run installs it when missing)");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", _folder,
            "--databases", Databases.ToString(CultureInfo.InvariantCulture),
            "--save", string.Empty,
            "--appendonly", _durable ? "yes" : "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--logfile", Path.Combine(_folder, "redis.log"),
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        ServerWatchdog.StopWhenThisProcessEnds(string.Create(CultureInfo.InvariantCulture, $"kill -9 {_process.Id}; rm -rf '{_folder}'"));
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        if (!SpinWait.SpinUntil(() => process.HasExited || Answers(), TimeSpan.FromSeconds(15)) || process.HasExited)
        {
            var log = File.Exists(Path.Combine(_folder, "redis.log")) ? File.ReadAllText(Path.Combine(_folder, "redis.log")) : "(no log)";
            throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within 15 s: {log}");
        }
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient { ReceiveTimeout = 1000, SendTimeout = 1000 };
            client.Connect("127.0.0.1", Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"])
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
