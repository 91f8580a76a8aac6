using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>Apps that host <see cref="CounterActor"/> on the official SDK, and proxies to call them.</summary>
public static class ActorApps
{
    public const string ActorType = nameof(CounterActor);

    /// <summary>
    /// A state store marked as the actor state store: SQLite (in <paramref name="sqliteFile"/> when given), or Redis (in
    /// <paramref name="redisDatabase"/> of the test Redis when given, else a database of its own).
    /// </summary>
    public static string ActorStateStore(string kind = "sqlite", string? sqliteFile = null, int? redisDatabase = null) => kind switch
    {
        "redis" => ComponentYaml.Component("statestore", "state.redis", [.. ComponentYaml.Redis(redisDatabase), ("actorStateStore", "true")]),
        _ => ComponentYaml.StateStore(kind, "statestore", sqliteFile, ("actorStateStore", "true")),
    };

    /// <summary>
    /// Starts an app hosting <see cref="CounterActor"/> (under <paramref name="actorType"/>) and its
    /// sidecar in <paramref name="cluster"/>, with <paramref name="stateStore"/> (YAML; default: <see cref="ActorStateStore"/>
    /// on SQLite) as its actor state store. The app's actor runtime talks to its sidecar's HTTP
    /// port, chosen up front. <paramref name="callbacks"/>, when given, records the reminder and timer
    /// callbacks the app receives. <paramref name="grpcPort"/> fixes the sidecar's gRPC port, which names the instance
    /// to placement.
    /// </summary>
    public static Task<SidecarHarness> StartHostAsync(
        string appId,
        LocalCluster cluster,
        ActorProbe probe,
        Action<ActorRuntimeOptions>? configure = null,
        string? stateStore = null,
        string actorType = ActorType,
        RequestLog? callbacks = null,
        int? grpcPort = null,
        Action<WebApplication>? configureApp = null,
        Func<SidecarOptions, SidecarOptions>? configureSidecar = null)
    {
        var daprHttpPort = FreePort.Next();
        return SidecarHarness.StartAsync(
            appId,
            new Dictionary<string, string> { ["statestore.yaml"] = stateStore ?? ActorStateStore() },
            app =>
            {
                if (callbacks is not null)
                {
                    app.Use(async (HttpContext http, RequestDelegate next) =>
                    {
                        var path = http.Request.Path.Value ?? string.Empty;
                        if (path.Contains("/method/remind/", StringComparison.Ordinal) || path.Contains("/method/timer/", StringComparison.Ordinal))
                        {
                            http.Request.EnableBuffering();
                            await callbacks.RecordAsync(http);
                            http.Request.Body.Position = 0;
                        }

                        await next(http);
                    });
                }

                app.MapActorsHandlers();
                configureApp?.Invoke(app);
            },
            builder =>
            {
                builder.Services.AddSingleton(probe);
                builder.Services.AddActors(options =>
                {
                    options.HttpEndpoint = $"http://127.0.0.1:{daprHttpPort}";
                    options.Actors.RegisterActor<CounterActor>(actorType);
                    configure?.Invoke(options);
                });
            },
            cluster,
            options => (configureSidecar ?? (o => o))(options with { HttpPort = daprHttpPort, GrpcPort = grpcPort ?? options.GrpcPort }));
    }

    /// <summary>An SDK proxy to an actor, through <paramref name="sidecar"/>'s HTTP API.</summary>
    public static ICounterActor Proxy(SidecarHarness sidecar, string actorId, string actorType = ActorType)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        return ActorProxy.Create<ICounterActor>(new ActorId(actorId), actorType, new ActorProxyOptions { HttpEndpoint = sidecar.Sidecar.HttpEndpoint.ToString() });
    }
}
