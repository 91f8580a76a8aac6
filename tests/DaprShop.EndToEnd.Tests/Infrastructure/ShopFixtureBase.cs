using System.Text;
using DaprShop.Testing;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole shop, started once per test collection the way a developer starts it: the
/// runner (runtime/DaprShop.Run) with a run file, here a copy of the repository's that puts every
/// app and sidecar on free loopback ports and keeps the embedded backends' files in a temporary
/// folder. The tests then talk to the gateway over HTTP only, as a REST caller would. A derived
/// fixture chooses the order-service settings (<see cref="OrderServiceEnvironment"/>) and may
/// adjust the copied components (<see cref="AdjustComponent"/>).
/// </summary>
public abstract class ShopFixtureBase : IAsyncLifetime
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private readonly StringBuilder _output = new();
    private RunnerProcess? _runner;
    private string _runFile = string.Empty;
    private int? _redisDatabase;

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("daprshop-e2e-").FullName;

    public IReadOnlyDictionary<string, ShopApp> Apps { get; private set; } = new Dictionary<string, ShopApp>();

    public Uri GatewayUrl => new($"http://127.0.0.1:{Apps["auth-gateway"].AppPort}");

    /// <summary>The operator's admin account the gateway seeds (<c>Auth__AdminEmail</c>, secret <c>admin-password</c>).</summary>
    public string AdminEmail { get; } = "admin@e2e.test";

    /// <summary>This shop's admin password, in its own secrets file (<see cref="PrivateShop.WriteSecretsAsync"/>).</summary>
    public string AdminPassword { get; } = $"e2e-admin-{Guid.NewGuid():N}";

    /// <summary>The dashboard the ready line named (a run with <c>--dashboard</c>), or null.</summary>
    public Uri? DashboardUrl { get; private set; }

    /// <summary>A client for the public door, the gateway.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Everything the runner printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        var repo = RepositoryFolder.Path;
        var configuration = RunnerProcess.BuildConfiguration;
        (string AppId, string Project)[] apps =
        [
            ("auth-gateway", "AuthGateway"),
            ("order-service", "OrderService"),
            ("payment-service", "PaymentService"),
            ("notification-service", "NotificationService"),
        ];
        var ports = FreePort.Distinct(apps.Length * 3);
        Apps = apps
            .Select((a, i) => new ShopApp(a.AppId, a.Project, ports[i * 3], ports[(i * 3) + 1], ports[(i * 3) + 2]))
            .ToDictionary(a => a.AppId);

        await PrivateShop.CopyComponentsAsync(
            repo,
            WorkDirectory,
            AdjustComponent,
            Profile,
            Profile is "redis" or "postgres" ? (RedisServer.Shared.Address, RedisDatabase) : null,
            PostgresConnection = Profile == "postgres" ? await PostgresServer.Shared.CreateDatabaseAsync() : null);

        await PrivateShop.WriteSecretsAsync(WorkDirectory, AdminPassword);
        _runFile = Path.Combine(WorkDirectory, "dapr.yaml");
        await File.WriteAllTextAsync(_runFile, PrivateShop.RunFile(repo, configuration, Apps.Values.Select(RunFileApp), Profile));
        await StartRunnerAsync();
        Gateway = new HttpClient { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        await WarmUpAsync();
    }

    /// <summary>The components profile this shop runs on (<c>embedded</c> unless a fixture says otherwise).</summary>
    public virtual string Profile => "embedded";

    /// <summary>On the postgres profile, the libpq connection string of this shop's database on the test PostgreSQL.</summary>
    public string? PostgresConnection { get; private set; }

    /// <summary>On the redis and postgres profiles, the database of the test Redis (<see cref="RedisServer.Shared"/>) this shop keeps its data in.</summary>
    public int RedisDatabase => _redisDatabase ??= RedisServer.Shared.NextDatabase();

    /// <summary>
    /// Kills the runner and every process it started at once (SIGKILL, nothing shuts down cleanly): the whole machine
    /// crashing, as far as the shop can tell. <see cref="StartRunnerAsync"/> starts it again on the same files.
    /// </summary>
    public async Task KillAsync()
    {
        if (_runner is { } runner)
        {
            await runner.KillAsync();
        }
    }

    /// <summary>
    /// Kills one app's process outright (SIGKILL), as the runner last reported starting it; its sidecar lives on in the
    /// runner. Whether it comes back depends on <c>--restart-on-exit</c>.
    /// </summary>
    public Task KillAppAsync(string appId) =>
        (_runner ?? throw new InvalidOperationException("the runner was never started")).KillAppAsync(appId);

    /// <summary>Starts the runner on the shop's run file and waits for its ready line.</summary>
    public async Task StartRunnerAsync()
    {
        if (_runner is { } previous)
        {
            await previous.DisposeAsync();
        }

        _runner = RunnerProcess.Start(
            new[] { RunnerProcess.Dll(RunnerProcess.BuildConfiguration), "-f", _runFile, "--no-build" }.Concat(ExtraRunnerArguments()),
            WorkDirectory,
            OnLine);
        try
        {
            await _runner.WaitUntilReadyAsync(ReadyTimeout);
        }
        catch (InvalidOperationException e)
        {
            // Everything printed since the fixture started, earlier runs included.
            throw new InvalidOperationException($"{e.Message.Split('\n')[0]}\n{Output}", e);
        }
    }

    /// <summary>Extra environment of order-service in the run file (name → value).</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> OrderServiceEnvironment();

    /// <summary>Options for the runner beyond the run file (none by default).</summary>
    protected virtual IEnumerable<string> ExtraRunnerArguments() => [];

    /// <summary>The text to write for the copied component file <paramref name="fileName"/>; unchanged by default.</summary>
    protected virtual string AdjustComponent(string fileName, string text) => text;

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (_runner is { } runner)
        {
            // The runner stops its apps and sidecars on SIGTERM, as it does on Ctrl+C.
            await runner.DisposeAsync();
        }

        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleaner.
        }
    }

    /// <summary>
    /// Places one order through the whole shop before the tests start. The first order of a fresh run compiles every
    /// hop on the way; on a busy two-core machine its payment call alone can outlast order-service's payment timeout
    /// (2 s), and whichever test came first would see 202 AwaitingPayment instead of its 201.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var shopper = await Shopper.RegisterAsync(Gateway, $"warm-up-{Guid.NewGuid():N}@e2e.test");
        using var placed = await shopper.PlaceOrderAsync("tok_visa");
        if (!placed.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The warm-up order failed with {(int)placed.StatusCode}: {await placed.Content.ReadAsStringAsync()}\n{Output}");
        }
    }

    /// <summary>A client that calls an app through its own sidecar's invocation API with that sidecar's token, as the README shows for internal services.</summary>
    public HttpClient Sidecar(string appId)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Apps[appId].DaprHttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("dapr-api-token", SidecarToken(appId));
        return client;
    }

    /// <summary>
    /// The Dapr API token the runner gave <paramref name="appId"/>'s sidecar for this run, from the file it writes for
    /// calls by hand (<c>.dapr/tokens/&lt;app-id&gt;</c> next to the run file); every sidecar refuses calls without it.
    /// </summary>
    public string SidecarToken(string appId) => File.ReadAllText(Path.Combine(WorkDirectory, ".dapr", "tokens", appId)).Trim();

    private void OnLine(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (RunnerReadyLine.TryReadDashboard(line) is { } dashboard)
        {
            DashboardUrl = dashboard;
        }
    }

    private RunFileApp RunFileApp(ShopApp app)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Payment__FaultInjection__Enabled"] = "true",
            ["Auth__AdminEmail"] = AdminEmail,
        };
        if (app.AppId == "auth-gateway")
        {
            // Every test registers from this one address and a test may send many requests as one user; the per-account
            // back-off after wrong passwords keeps its default.
            env["RateLimits__Auth__PermitLimit"] = "100000";
            env["RateLimits__Api__PermitLimit"] = "100000";
        }

        if (app.AppId == "order-service")
        {
            foreach (var (name, value) in OrderServiceEnvironment())
            {
                env[name] = value;
            }
        }

        return new RunFileApp(app.AppId, app.Project, app.AppPort, app.DaprHttpPort, app.DaprGrpcPort, env);
    }

}
