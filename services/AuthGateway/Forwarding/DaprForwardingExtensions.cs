using AuthGateway.RateLimiting;
using DaprShop.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace AuthGateway.Forwarding;

/// <summary>
/// Forwards <c>/api/**</c> through the gateway's own sidecar (Dapr service invocation over HTTP), with YARP:
/// only for an authenticated caller, whose identity replaces any identity headers the request came with, and within
/// the caller's per-user rate limit.
/// </summary>
public static class DaprForwardingExtensions
{
    public const string AuthenticatedPolicy = "authenticated-user";

    public const string SidecarClusterId = "dapr-sidecar";

    public const int DefaultDaprHttpPort = 3500;

    public const string DaprHttpPortVariable = "DAPR_HTTP_PORT";

    public const string DaprApiTokenVariable = "DAPR_API_TOKEN";

    public static WebApplicationBuilder AddDaprForwarding(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthenticatedPolicy, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());

        builder.Services.AddReverseProxy()
            .AddTransforms(transforms =>
            {
                if (ForwardedRoute.All.FirstOrDefault(route => route.RouteId == transforms.Route.RouteId) is not { } route)
                {
                    return;
                }

                var daprApiToken = transforms.Services.GetRequiredService<IConfiguration>()[DaprApiTokenVariable];
                transforms.AddRequestTransform(context =>
                {
                    IdentityHeadersTransform.Apply(context.ProxyRequest, context.HttpContext.User, daprApiToken);
                    return ValueTask.CompletedTask;
                });
                transforms.AddResponseTransform(context =>
                {
                    LocationTransform.Apply(context.HttpContext.Response, route);
                    return UpstreamErrorTransform.ApplyAsync(context, route);
                });
            });

        // Built when first resolved, from the configuration the host ended up with (DAPR_HTTP_PORT).
        builder.Services.AddSingleton<IProxyConfigProvider>(services =>
            new InMemoryConfigProvider(Routes(), Clusters(services.GetRequiredService<IConfiguration>())));

        return builder;
    }

    public static WebApplication MapDaprForwarding(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ForwardableHeaders.RejectUnforwardableAsync);

            // YARP's default pipeline, which a custom one replaces.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).RequireRateLimiting(RateLimitingExtensions.PerUser);
        return app;
    }

    internal static IReadOnlyList<RouteConfig> Routes() =>
    [
        .. ForwardedRoute.All.Select(route => new RouteConfig
            {
                RouteId = route.RouteId,
                ClusterId = SidecarClusterId,
                AuthorizationPolicy = AuthenticatedPolicy,
                Match = new RouteMatch { Path = route.MatchPath },
            }
            .WithTransformPathRemovePrefix(ForwardedRoute.ApiPrefix)
            .WithTransformPathPrefix(route.InvokePrefix)),
    ];

    internal static IReadOnlyList<ClusterConfig> Clusters(IConfiguration configuration)
    {
        var port = configuration.GetValue(DaprHttpPortVariable, DefaultDaprHttpPort);
        return
        [
            new ClusterConfig
            {
                ClusterId = SidecarClusterId,
                Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
                {
                    ["sidecar"] = new() { Address = $"http://127.0.0.1:{port}" },
                },
            },
        ];
    }
}
