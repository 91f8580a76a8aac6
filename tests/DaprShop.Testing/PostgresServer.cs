using System.Diagnostics;
using System.Globalization;

namespace DaprShop.Testing;

/// <summary>
/// A private PostgreSQL cluster (Debian's <c>postgresql</c> package; <c>.ci/run</c> installs it) on a free loopback
/// port, with its data and socket in a temp folder, stopped with the test process. PostgreSQL refuses to run as root,
/// so when the tests run as root (as CI does) the cluster is created and run as the <c>postgres</c> user the package
/// adds, through <c>runuser</c>. <see cref="Shared"/> is one cluster per test process; each test takes a database of
/// its own (<see cref="CreateDatabaseAsync"/>). <see cref="Start"/> gives a cluster of a test's own, for tests that
/// stop and restart it. Test clusters run without fsync, for speed: a server process that is killed loses nothing it
/// acknowledged (commits stay synchronous, and the operating system keeps what was written); only a machine crash would.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Superuser = "postgres";

    private static readonly Lazy<PostgresServer> SharedServer = new(() =>
    {
        // A start can lose its port to another process between picking and binding it: try another.
        var server = Retry(() => Start("shared"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    });

    private readonly string _folder;
    private readonly string _bin;
    private int _nextDatabase;

    private readonly bool _durable;

    private PostgresServer(string folder, string bin, int port, bool durable)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
        _durable = durable;
    }

    /// <summary>The cluster every test of this process shares (started on first use).</summary>
    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>Whether the cluster runs as the <c>postgres</c> user because this process is root.</summary>
    private static bool AsPostgresUser => Environment.UserName == "root";

    private string DataFolder => Path.Combine(_folder, "data");

    /// <summary>
    /// Creates a cluster of its own and starts it. <paramref name="durable"/>: fsync on, as a production server runs
    /// (for measurements); otherwise off, which a killed server process survives but a machine crash would not.
    /// </summary>
    public static PostgresServer Start(string name, bool durable = false)
    {
        var bin = FindBinaries()
            ?? throw new InvalidOperationException("PostgreSQL's server programs (initdb, pg_ctl) are not installed: `apt-get install postgresql` (.ci/run installs it when missing)");
        var folder = Directory.CreateTempSubdirectory($"daprshop-pg-{name}-").FullName;
        var server = new PostgresServer(folder, bin, FreePort.Next(), durable);
        if (AsPostgresUser)
        {
            Run("chown", ["-R", $"{Superuser}:{Superuser}", folder]);
        }

        server.RunTool("initdb", ["-D", server.DataFolder, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-sync", "--locale=C"]);
        server.Launch();
        var stop = $"'{Path.Combine(bin, "pg_ctl")}' -D '{server.DataFolder}' -m immediate stop >/dev/null 2>&1; rm -rf '{folder}'";
        ServerWatchdog.StopWhenThisProcessEnds(AsPostgresUser ? $"runuser -u {Superuser} -- {stop}" : stop);
        return server;
    }

    private static PostgresServer Retry(Func<PostgresServer> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return start();
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Next attempt, on a new port and folder.
            }
        }
    }

    /// <summary>A libpq connection string (as daprd's components take it) for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        string.Create(CultureInfo.InvariantCulture, $"host=127.0.0.1 port={Port} user={Superuser} database={database} connect_timeout=10");

    /// <summary>A plain SQL connection (no pooling) to a database given by one of this class's libpq connection strings, to read what a store wrote.</summary>
    public static async Task<Npgsql.NpgsqlConnection> OpenAsync(string libpq)
    {
        ArgumentNullException.ThrowIfNull(libpq);
        var parts = libpq.Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = parts["host"],
            Port = int.Parse(parts["port"], CultureInfo.InvariantCulture),
            Username = parts["user"],
            Database = parts["database"],
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <inheritdoc cref="CreateDatabaseAsync"/>
    public string CreateDatabase() => CreateDatabaseAsync().GetAwaiter().GetResult();

    /// <summary>A new empty database no other test of this process uses, and its libpq connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"t{Interlocked.Increment(ref _nextDatabase)}");
        await RunToolAsync("psql", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", $"CREATE DATABASE {name}"]);
        return ConnectionString(name);
    }

    /// <summary>Stops the cluster at once (as a crash would); <see cref="Restart"/> starts it again on the same port and files.</summary>
    public void Kill() => RunTool("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "stop"], ignoreFailure: true);

    public void Restart()
    {
        Kill();
        Launch();
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await Task.CompletedTask;
    }

    private void Stop()
    {
        Kill();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaner.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private void Launch()
    {
        var options = string.Create(
            CultureInfo.InvariantCulture,
            $"-p {Port} -c listen_addresses=127.0.0.1 -k {_folder} -c max_connections=300") + (_durable ? string.Empty : " -c fsync=off -c full_page_writes=off");
        RunTool("pg_ctl", ["-D", DataFolder, "-o", options, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "30", "start"]);
    }

    private void RunTool(string tool, string[] args, bool ignoreFailure = false) =>
        RunToolAsync(tool, args, ignoreFailure).GetAwaiter().GetResult();

    private Task RunToolAsync(string tool, string[] args, bool ignoreFailure = false)
    {
        var path = Path.Combine(_bin, tool);
        if (!File.Exists(path))
        {
            path = tool;
        }

        return AsPostgresUser
            ? RunAsync("runuser", ["-u", Superuser, "--", path, .. args], ignoreFailure)
            : RunAsync(path, args, ignoreFailure);
    }

    private static void Run(string file, string[] args) => RunAsync(file, args, ignoreFailure: false).GetAwaiter().GetResult();

    private static async Task RunAsync(string file, string[] args, bool ignoreFailure)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0 && !ignoreFailure)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    /// <summary>The newest installed server's programs: <c>/usr/lib/postgresql/{version}/bin</c> (Debian's layout).</summary>
    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(folder => (Folder: folder, Version: int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(f => f.Version > 0 && File.Exists(Path.Combine(f.Folder, "bin", "initdb")))
                .OrderByDescending(f => f.Version)
                .Select(f => Path.Combine(f.Folder, "bin"))
                .FirstOrDefault()
            : null;
}
