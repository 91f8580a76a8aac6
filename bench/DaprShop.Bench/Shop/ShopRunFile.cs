using System.Security.Cryptography;
using DaprShop.Testing;

namespace DaprShop.Bench.Shop;

/// <summary>
/// A private copy of the shop's run setup in a temporary folder: a run file that puts every app and sidecar on
/// free loopback ports and starts the Release build, and copies of components/common and the profile's folder
/// (<see cref="ShopBackend"/>) whose <c>../../</c> paths (the SQLite file, the notification files, the secrets file) point into that folder,
/// so a bench run never shares state with a running shop or another run.
/// </summary>
internal sealed class ShopRunFile : IDisposable
{
    /// <summary>order-service's settings in a shop for the crash drill (<see cref="ShopVariant.CrashDrill"/>).</summary>
    private static readonly Dictionary<string, string> CrashDrillOrderService = new(StringComparer.Ordinal)
    {
        ["Orders__PaymentRetry__BaseDelay"] = "00:00:01",
        ["Orders__PaymentRetry__MaxDelay"] = "00:00:04",
        ["Orders__PaymentWindow"] = "00:10:00",
    };

    private ShopRunFile(string workDirectory, string path, IReadOnlyDictionary<string, ShopApp> apps, IReadOnlyList<string> restartOnExit)
    {
        WorkDirectory = workDirectory;
        Path = path;
        Apps = apps;
        RestartOnExit = restartOnExit;
    }

    public string WorkDirectory { get; }

    /// <summary>The run file (dapr.yaml) in <see cref="WorkDirectory"/>.</summary>
    public string Path { get; }

    public IReadOnlyDictionary<string, ShopApp> Apps { get; }

    /// <summary>The apps the runner is to start again when they exit (<c>--restart-on-exit</c>): every app for the crash drill, else none.</summary>
    public IReadOnlyList<string> RestartOnExit { get; }

    /// <summary>
    /// Writes the run file and the components. The apps log at Warning (the shop's default, Information, writes a
    /// line per order per service through the runner); payment-service gets a known <c>APP_API_TOKEN</c> (the runner
    /// takes the run file's value instead of a random one), so the bench can call its app port directly; likewise each
    /// sidecar gets a known <c>DAPR_API_TOKEN</c> (else the runner draws one per run, and every sidecar refuses a caller
    /// without it), the same after the runner is started again. A <paramref name="variant"/> changes the copy as it says.
    /// </summary>
    public static async Task<ShopRunFile> CreateAsync(string repo, ShopBackend backend, CancellationToken cancellationToken, ShopVariant variant = ShopVariant.Standard)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var work = Directory.CreateTempSubdirectory("daprshop-bench-").FullName;
        var paymentToken = NewToken();
        var common = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        // Twelve ports held open together while picked: separate picks may get the same port back from the OS.
        var ports = new Queue<int>(FreePort.Distinct(12));
        var apps = new[]
        {
            (ShopApp.Gateway, "AuthGateway", new Dictionary<string, string>(common) { ["RateLimits__Auth__PermitLimit"] = "1000000", ["RateLimits__Api__PermitLimit"] = "100000000" }),
            (ShopApp.Orders, "OrderService", new Dictionary<string, string>(variant == ShopVariant.CrashDrill ? common.Concat(CrashDrillOrderService) : common, StringComparer.Ordinal)),
            (ShopApp.Payments, "PaymentService", new Dictionary<string, string>(common) { ["Payment__FaultInjection__Enabled"] = "true", ["APP_API_TOKEN"] = paymentToken }),
            (ShopApp.Notifications, "NotificationService", new Dictionary<string, string>(common)),
        }.ToDictionary(a => a.Item1, a => new ShopApp(a.Item1, a.Item2, ports.Dequeue(), ports.Dequeue(), ports.Dequeue(), new Dictionary<string, string>(a.Item3) { [ShopApp.SidecarTokenVariable] = NewToken() }), StringComparer.Ordinal);

        Func<string, string, string>? adjust = variant == ShopVariant.CrashDrill && (backend.Profile is "redis" or "postgres") ? ShortenRedelivery : null;
        await PrivateShop.CopyComponentsAsync(repo, work, adjust, backend.Profile, backend.NextRedis(), backend.NextPostgres(), cancellationToken);

        // A signing key of its own, so the gateway runs in Production as the other apps do (it refuses the committed
        // development key there); the bench needs no admin, so the admin password is thrown away.
        await PrivateShop.WriteSecretsAsync(work, NewToken(), cancellationToken);
        if (variant == ShopVariant.WithoutPaymentBreaker)
        {
            await RemovePaymentBreakerAsync(work, cancellationToken);
        }

        var runFile = System.IO.Path.Combine(work, "dapr.yaml");
        var runFileApps = apps.Values.Select(a => new RunFileApp(a.AppId, a.Project, a.AppPort, a.DaprHttpPort, a.DaprGrpcPort, a.Env));
        await File.WriteAllTextAsync(runFile, PrivateShop.RunFile(repo, ShopBuild.Configuration, runFileApps, backend.Profile), cancellationToken);
        return new ShopRunFile(work, runFile, apps, variant == ShopVariant.CrashDrill ? [.. apps.Keys] : []);
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
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

    /// <summary>
    /// The durable profiles' pubsub.yaml with Redis Streams claiming a message its dead sidecar never acknowledged after
    /// 3 s instead of 15 s, checking every 1 s instead of 5 s, so that a crash drill's round does not wait on redelivery
    /// (the end-to-end tests' CrashShopFixture does the same). Every other file unchanged.
    /// </summary>
    private static string ShortenRedelivery(string fileName, string text)
    {
        if (fileName != "pubsub.yaml")
        {
            return text;
        }

        (string From, string To)[] settings =
        [
            ("    - name: processingTimeout\n      value: \"15000\"\n", "    - name: processingTimeout\n      value: \"3000\"\n"),
            ("    - name: redeliverInterval\n      value: \"5000\"\n", "    - name: redeliverInterval\n      value: \"1000\"\n"),
        ];
        var adjusted = text.ReplaceLineEndings("\n");
        foreach (var (from, to) in settings)
        {
            adjusted = adjusted.Contains(from, StringComparison.Ordinal)
                ? adjusted.Replace(from, to, StringComparison.Ordinal)
                : throw new InvalidOperationException($"the profile's pubsub.yaml no longer has the lines '{from.Trim()}' the crash drill shortens; update ShopRunFile.");
        }

        return adjusted;
    }

    /// <summary>
    /// The same resiliency policies minus the circuit breaker on payment-service (its timeout and retries stay), for
    /// the comparison the breaker scenario makes.
    /// </summary>
    private static async Task RemovePaymentBreakerAsync(string work, CancellationToken cancellationToken)
    {
        const string BreakerLine = "        circuitBreaker: paymentBreaker\n";
        var file = System.IO.Path.Combine(work, "components", "common", "resiliency.yaml");
        var text = (await File.ReadAllTextAsync(file, cancellationToken)).ReplaceLineEndings("\n");
        if (!text.Contains(BreakerLine, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"components/common/resiliency.yaml no longer has the line '{BreakerLine.Trim()}' the breaker scenario removes for its no-breaker series; update ShopRunFile.");
        }

        await File.WriteAllTextAsync(file, text.Replace(BreakerLine, string.Empty, StringComparison.Ordinal), cancellationToken);
    }
}
