using System.Globalization;
using System.Security.Cryptography;
using DaprShop.Run.Building;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Apps;

/// <summary>
/// How one app process is started: program, arguments, working folder and the environment the
/// Dapr CLI gives an app (<c>APP_ID</c>, <c>APP_PORT</c>, <c>APP_PROTOCOL</c>, <c>DAPR_HTTP_PORT</c>,
/// <c>DAPR_GRPC_PORT</c>, and <c>DAPR_METRICS_PORT</c> / <c>APP_CHANNEL_ADDRESS</c> when the run
/// file sets them, then the run file's <c>env</c>), plus <c>APP_API_TOKEN</c>, a default
/// <c>ASPNETCORE_ENVIRONMENT</c>, and <c>DAPRSHOP_PARENT_PID</c>: the runner's own pid, which
/// DaprShop.ServiceDefaults watches so that an app stops once its runner is gone, even after a
/// <c>kill -9</c> of the runner (passed explicitly because an app started through <c>dotnet run</c>
/// is the runner's grandchild).
/// </summary>
/// <param name="AppId">The app id, for the output prefix.</param>
/// <param name="FileName">The program.</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="WorkingDirectory">The app's <c>appDirPath</c>.</param>
/// <param name="Environment">Variables set on top of the runner's own environment.</param>
public sealed record AppLaunch(
    string AppId,
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string AppApiTokenVariable = "APP_API_TOKEN";
    public const string DaprApiTokenVariable = "DAPR_API_TOKEN";

    /// <summary>The name DaprShop.ServiceDefaults reads (its <c>ParentProcessWatch.ParentPidVariable</c>).</summary>
    public const string ParentPidVariable = "DAPRSHOP_PARENT_PID";

    /// <summary>A fresh random token for one app for one run.</summary>
    public static string NewApiToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The launch of <paramref name="app"/> next to a sidecar on the given ports. A <c>dotnet run</c>
    /// command starts the built entry assembly directly when that is equivalent (see
    /// <see cref="DotnetRunCommand"/>); otherwise the command runs as written, with
    /// <c>--no-build</c> added to a <c>dotnet run</c> that lacks it, because the runner has built it.
    /// </summary>
    public static AppLaunch Create(RunFileApp app, int daprHttpPort, int daprGrpcPort, string appApiToken, string? daprApiToken = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Command.Count == 0)
        {
            throw new ArgumentException($"app '{app.AppId}' has no command", nameof(app));
        }

        var (fileName, arguments) = ProgramAndArguments(app);
        return new AppLaunch(app.AppId, fileName, arguments, app.AppDirPath, Variables(app, daprHttpPort, daprGrpcPort, appApiToken, daprApiToken));
    }

    private static (string FileName, IReadOnlyList<string> Arguments) ProgramAndArguments(RunFileApp app)
    {
        var dotnetRun = DotnetRunCommand.TryParse(app.Command, app.AppDirPath);
        if (dotnetRun?.FindEntryAssembly() is { } assembly)
        {
            return (app.Command[0], [assembly, .. dotnetRun.AppArguments]);
        }

        var command = dotnetRun is null ? app.Command : DotnetRunCommand.WithNoBuild(app.Command);
        return (command[0], command.Skip(1).ToList());
    }

    private static Dictionary<string, string> Variables(RunFileApp app, int daprHttpPort, int daprGrpcPort, string appApiToken, string? daprApiToken)
    {
        static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_ID"] = app.AppId,
            ["APP_PROTOCOL"] = app.AppProtocol,
            ["DAPR_HTTP_PORT"] = Text(daprHttpPort),
            ["DAPR_GRPC_PORT"] = Text(daprGrpcPort),
        };
        if (app.AppPort is { } appPort)
        {
            env["APP_PORT"] = Text(appPort);
        }

        if (app.MetricsPort is { } metricsPort)
        {
            env["DAPR_METRICS_PORT"] = Text(metricsPort);
        }

        if (app.AppChannelAddress is { } address)
        {
            env["APP_CHANNEL_ADDRESS"] = address;
        }

        foreach (var (name, value) in app.Env)
        {
            env[name] = value;
        }

        env[AppApiTokenVariable] = appApiToken;
        if (daprApiToken is not null)
        {
            env[DaprApiTokenVariable] = daprApiToken;
        }
        env[ParentPidVariable] = Text(System.Environment.ProcessId);
        if (!env.ContainsKey("ASPNETCORE_ENVIRONMENT")
            && !env.ContainsKey("DOTNET_ENVIRONMENT")
            && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
            && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")))
        {
            env["ASPNETCORE_ENVIRONMENT"] = "Development";
        }

        return env;
    }
}
