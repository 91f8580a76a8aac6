using System.Globalization;
using System.Net;

namespace DaprShop.Bench.Cli;

/// <summary>The bench's command line, parsed and checked.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        Load driver for DaprShop: starts the shop through its runner (Release build, free loopback ports,
        a private copy of the components of a profile), or attaches to a running one, then measures.

        Usage:
          dotnet run -c Release --project bench/DaprShop.Bench -- <scenario> [options]

        Scenarios:
          orders      POST /api/orders through the gateway: orders/s, latency percentiles, errors by kind,
                      and the time until every placed order has its notification
          overhead    the same GET on payment-service directly (app port) and through two sidecars,
                      interleaved request by request: the latency the sidecars add
          breaker     order placement with payment healthy, then with payment down and the breaker open
          startup     seconds from starting the runner to its ready line (warm build), several runs
          all         every scenario above, one report
          capacity    orders as a closed loop (capacity; --vus sets its users, 32 by default), then at 250, 500 and
                      1,000 orders/s, each phase with its notification lag percentiles and CPU per order (not in all)
          crash       the crash drill (not in all) on a shop of its own whose apps the runner restarts: rounds of a
                      burst of orders with one process killed outright in each (each app in turn, and the runner
                      with everything), then every order must settle, be paid at most once and keep a contiguous
                      log; prints the violations and exits with 1 when it finds any

        Options:
          --quick                  small sizes for a smoke check (all scenarios in under two minutes)
          --dashboard              the started shops run with the Aspire dashboard and every app and sidecar
                                   exporting telemetry to it (off by default: the bench measures the shop alone)
          --replicas APPID=N       the started shops run N instances of that app (repeatable; the runner's
                                   --replicas), e.g. --replicas order-service=2; CPU per order is then summed
                                   over the app's instances
          --rate N                 open model: N requests per second, latency measured from the intended send time
          --vus N                  closed loop: N virtual users, each sending when its previous answer came
          --duration S             seconds measured (per phase in breaker); crash: a soak, rounds (targets in turn)
                                   keep starting until S seconds (at most 86400) have passed, the last one
                                   finishing after; --rounds then caps them only when given
          --warmup S               seconds of unrecorded load first
          --users N                registered users the orders are spread over (orders, breaker)
          --runs N                 startup: number of starts (default 3)
          --rounds N               crash: rounds, one kill each (default 10, 5 with --quick; no cap with --duration)
          --orders N               crash: orders in each round's burst (default 24, 12 with --quick)
          --seed N                 crash: the drill's seed (default random); printed, and put in the report's command,
                                   which then replays the same orders and kill points (counted in answers)
          --timeout S              per-request timeout (default 30, 5 with --quick)
          --out DIR                where the reports go (default bench/results)
          --profile P[,P...]       embedded (default), redis, postgres, or several (comma-separated, run one after
                                   another into one report): the components the started shops run on; redis
                                   starts a private redis-server, postgres also a private PostgreSQL cluster
                                   (Debian's redis-server and postgresql packages) for the run
          --url URL                attach to the running shop whose gateway is URL instead of starting one
          --gateway-sidecar URL    with --url: the gateway's Dapr HTTP endpoint (overhead)
          --payment-app URL        with --url: payment-service's app port (overhead)
          --payment-app-token T    with --url: the APP_API_TOKEN its run file gives payment-service (overhead)
          --payment-sidecar URL    with --url: payment-service's Dapr HTTP endpoint (breaker)
          --order-sidecar URL      with --url: order-service's Dapr HTTP endpoint (breaker: confirms the breaker is open)
                                   (with --url, each sidecar's token is read from .dapr/tokens/<app-id>, where the
                                   runner writes it: run the bench from the folder the shop was started in)
          -h, --help               this text

        Every URL must be on loopback. Reports: a Markdown table on stdout and bench/results/<scenario>.md,
        .json and .svg (latency percentiles); the crash drill's in bench/results/crash/<profile>.md (and .json,
        .svg), named for the profile list, so drills on different profiles are kept side by side. Progress goes
        to stderr once a second.
        """;

    /// <summary>The longest --duration of a measuring scenario, in seconds.</summary>
    private const int MaxMeasured = 3600;

    /// <summary>
    /// The largest seed: the drill seeds round r with seed + r, which must stay an int over any number of rounds
    /// <c>--rounds</c> allows.
    /// </summary>
    private const int MaxSeed = 2_000_000_000;

    /// <summary>The longest crash soak (<c>--duration</c> with crash).</summary>
    private static readonly TimeSpan MaxSoak = TimeSpan.FromDays(1);

    public required string Scenario { get; init; }

    public bool Quick { get; init; }

    /// <summary>Started shops run with the runner's dashboard (<c>--dashboard</c>); by default they run without it.</summary>
    public bool Dashboard { get; init; }

    /// <summary>The runner's <c>--replicas</c> values for started shops (<c>order-service=2</c>), as given.</summary>
    public IReadOnlyList<string> Replicas { get; init; } = [];

    /// <summary>The load model given on the command line, or null for each scenario's default.</summary>
    public LoadModel? Load { get; init; }

    public TimeSpan? Duration { get; init; }

    public TimeSpan? Warmup { get; init; }

    public int? Users { get; init; }

    public int Runs { get; init; } = 3;

    /// <summary>crash: the rounds given with <c>--rounds</c>, or null for the scenario's default.</summary>
    public int? Rounds { get; init; }

    /// <summary>crash: the orders of each round's burst given with <c>--orders</c>, or null for the scenario's default.</summary>
    public int? OrdersPerRound { get; init; }

    /// <summary>crash: the drill's seed, given or drawn (always set for crash, null otherwise).</summary>
    public int? Seed { get; init; }

    public TimeSpan RequestTimeout { get; init; }

    public string? OutputDirectory { get; init; }

    public Uri? Url { get; init; }

    public Uri? GatewaySidecar { get; init; }

    public Uri? PaymentApp { get; init; }

    public string? PaymentAppToken { get; init; }

    public Uri? PaymentSidecar { get; init; }

    public Uri? OrderSidecar { get; init; }

    public bool Help { get; init; }

    /// <summary>The components profiles of the shops the bench starts, one after another: embedded, redis, postgres.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = ["embedded"];

    /// <summary>
    /// The arguments as given, to print the command that reproduces a report; for crash without <c>--seed</c>, followed
    /// by <c>--seed</c> and the seed drawn.
    /// </summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The load, duration and warm-up of <paramref name="scenario"/>: the command line's where given, else the scenario's defaults.</summary>
    public (LoadModel Load, TimeSpan Duration, TimeSpan Warmup) LoadFor(string scenario)
    {
        var defaults = ScenarioDefaults.For(scenario, Quick);
        return (Load ?? new OpenModel(defaults.Rate), Duration ?? defaults.Duration, Warmup ?? defaults.Warmup);
    }

    /// <exception cref="ArgumentException">A bad command line, with a one-line message.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? scenario = null;
        var quick = false;
        var dashboard = false;
        var replicas = new List<string>();
        var help = false;
        double? rate = null;
        int? vus = null;
        TimeSpan? duration = null;
        TimeSpan? warmup = null;
        TimeSpan? timeout = null;
        int? users = null;
        var runs = 3;
        int? rounds = null;
        int? ordersPerRound = null;
        int? seed = null;
        string? output = null;
        Uri? url = null;
        Uri? gatewaySidecar = null;
        Uri? paymentApp = null;
        string? paymentAppToken = null;
        Uri? paymentSidecar = null;
        Uri? orderSidecar = null;
        List<string> profiles = ["embedded"];

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    help = true;
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--dashboard":
                    dashboard = true;
                    break;
                case "--replicas":
                    replicas.Add(Replica(NextValue(args, ref i)));
                    break;
                case "--rate":
                    rate = Positive(NextValue(args, ref i), arg, max: 100_000);
                    break;
                case "--vus":
                    vus = (int)Positive(NextValue(args, ref i), arg, max: 10_000, integer: true);
                    break;
                case "--duration":
                    duration = TimeSpan.FromSeconds(Positive(NextValue(args, ref i), arg, max: MaxSoak.TotalSeconds));
                    break;
                case "--warmup":
                    warmup = TimeSpan.FromSeconds(NonNegative(NextValue(args, ref i), arg, max: 600));
                    break;
                case "--timeout":
                    timeout = TimeSpan.FromSeconds(Positive(NextValue(args, ref i), arg, max: 600));
                    break;
                case "--users":
                    users = (int)Positive(NextValue(args, ref i), arg, max: 5000, integer: true);
                    break;
                case "--runs":
                    runs = (int)Positive(NextValue(args, ref i), arg, max: 20, integer: true);
                    break;
                case "--rounds":
                    rounds = (int)Positive(NextValue(args, ref i), arg, max: 100_000, integer: true);
                    break;
                case "--orders":
                    ordersPerRound = (int)Positive(NextValue(args, ref i), arg, max: 1000, integer: true);
                    break;
                case "--seed":
                    seed = (int)NonNegative(NextValue(args, ref i), arg, max: MaxSeed, integer: true);
                    break;
                case "--out":
                    output = NextValue(args, ref i);
                    break;
                case "--url":
                    url = LoopbackUrl(NextValue(args, ref i), arg);
                    break;
                case "--gateway-sidecar":
                    gatewaySidecar = LoopbackUrl(NextValue(args, ref i), arg);
                    break;
                case "--payment-app":
                    paymentApp = LoopbackUrl(NextValue(args, ref i), arg);
                    break;
                case "--payment-app-token":
                    paymentAppToken = NextValue(args, ref i);
                    break;
                case "--payment-sidecar":
                    paymentSidecar = LoopbackUrl(NextValue(args, ref i), arg);
                    break;
                case "--profile":
                    profiles = [.. NextValue(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
                    if (profiles.Find(p => p is not ("embedded" or "redis" or "postgres")) is { } unknown)
                    {
                        throw new ArgumentException($"unknown profile '{unknown}': embedded, redis or postgres (or several, comma-separated)");
                    }

                    if (profiles.Count == 0)
                    {
                        throw new ArgumentException("--profile needs at least one profile");
                    }

                    break;
                case "--order-sidecar":
                    orderSidecar = LoopbackUrl(NextValue(args, ref i), arg);
                    break;
                case var name when name.StartsWith('-'):
                    throw new ArgumentException($"unknown option '{name}' (see --help)");
                default:
                    if (scenario is not null)
                    {
                        throw new ArgumentException($"one scenario at a time: '{scenario}' and '{arg}' (use 'all' for every scenario)");
                    }

                    scenario = arg;
                    break;
            }
        }

        if (help)
        {
            return new BenchOptions { Scenario = ScenarioName.All, Help = true };
        }

        if (scenario is null)
        {
            throw new ArgumentException("name a scenario: orders, overhead, breaker, startup, all or crash (see --help)");
        }

        if (scenario != ScenarioName.All && !ScenarioName.Known.Contains(scenario))
        {
            throw new ArgumentException($"unknown scenario '{scenario}': orders, overhead, breaker, startup, all or crash");
        }

        var crash = scenario == ScenarioName.Crash;
        if (!crash && (rounds is not null || ordersPerRound is not null || seed is not null))
        {
            throw new ArgumentException("--rounds, --orders and --seed go with the crash scenario");
        }

        if (!crash && duration > TimeSpan.FromSeconds(MaxMeasured))
        {
            throw new ArgumentException($"--duration takes a number from 0 to {MaxMeasured}, not {duration.Value.TotalSeconds:0} (up to {MaxSoak.TotalSeconds:0} only for a crash soak)");
        }

        if (crash && url is not null)
        {
            throw new ArgumentException("crash kills the shop's processes and starts them again, so it starts a shop of its own: not with --url");
        }

        if (rate is not null && vus is not null)
        {
            throw new ArgumentException("--rate (open model) and --vus (closed loop) exclude each other");
        }

        if (rate is not null && scenario == ScenarioName.Capacity)
        {
            throw new ArgumentException("capacity offers its own rates (250, 500 and 1,000 orders/s); --rate does not apply to it");
        }

        if (url is not null && args.Contains("--profile"))
        {
            throw new ArgumentException("--profile is for the shops the bench starts, not with --url (the attached shop runs on whatever it was started with)");
        }

        var attachOnly = new[] { gatewaySidecar, paymentApp, paymentSidecar, orderSidecar }.Any(u => u is not null) || paymentAppToken is not null;
        if (url is null && attachOnly)
        {
            throw new ArgumentException("--gateway-sidecar, --payment-app, --payment-app-token, --payment-sidecar and --order-sidecar go with --url");
        }

        // A drawn seed joins the arguments, so the command the report prints replays this drill.
        List<string> arguments = [.. args];
        if (crash && seed is null)
        {
            seed = Random.Shared.Next(1, 1_000_000);
            arguments.AddRange(["--seed", seed.Value.ToString(CultureInfo.InvariantCulture)]);
        }

        return new BenchOptions
        {
            Scenario = scenario,
            Quick = quick,
            Dashboard = dashboard,
            Replicas = replicas,
            Load = rate is { } r ? new OpenModel(r) : vus is { } v ? new ClosedModel(v) : null,
            Duration = duration,
            Warmup = warmup,
            Users = users,
            Runs = runs,
            Rounds = rounds,
            OrdersPerRound = ordersPerRound,
            Seed = seed,
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(quick ? 5 : 30),
            OutputDirectory = output,
            Url = url,
            GatewaySidecar = gatewaySidecar,
            PaymentApp = paymentApp,
            PaymentAppToken = paymentAppToken,
            PaymentSidecar = paymentSidecar,
            OrderSidecar = orderSidecar,
            Profiles = profiles,
            Arguments = arguments,
        };
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i)
    {
        var name = args[i];
        if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
        {
            throw new ArgumentException($"option '{name}' needs a value (see --help)");
        }

        return args[++i];
    }

    /// <summary>An <c>APPID=N</c> for the runner's <c>--replicas</c>, checked as the runner checks it.</summary>
    private static string Replica(string value)
    {
        var parts = value.Split('=', 2);
        return parts.Length == 2 && parts[0].Length > 0 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 8
            ? value
            : throw new ArgumentException($"--replicas: '{value}' is not APPID=N with N from 1 to 8 (e.g. --replicas order-service=2)");
    }

    private static double Positive(string text, string name, double max, bool integer = false)
    {
        var value = NonNegative(text, name, max, integer);
        return value > 0 ? value : throw new ArgumentException($"{name} must be more than 0");
    }

    private static double NonNegative(string text, string name, double max, bool integer = false)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < 0 || value > max)
        {
            throw new ArgumentException($"{name} takes a number from 0 to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        }

        if (integer && value != Math.Floor(value))
        {
            throw new ArgumentException($"{name} takes a whole number, not '{text}'");
        }

        return value;
    }

    /// <summary>The bench only ever talks to this machine.</summary>
    private static Uri LoopbackUrl(string text, string name)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"{name} takes an http:// URL, not '{text}'");
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        return loopback
            ? new Uri(uri.GetLeftPart(UriPartial.Authority))
            : throw new ArgumentException($"{name}: the bench drives loopback only, not {uri.Host}");
    }
}
