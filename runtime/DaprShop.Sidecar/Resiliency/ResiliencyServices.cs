using DaprShop.Sidecar.Invocation;
using DaprShop.Sidecar.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// The services of the resiliency building block in one sidecar: the policies parsed at start-up
/// (<see cref="ResiliencySpec"/>, registered by <see cref="Sidecar"/> before the host is built, as is the sidecar's
/// clock the policies time their timeouts, retries and circuit breakers with),
/// the <see cref="IResiliencyPolicyProvider"/> the building blocks ask for their policies, and the
/// invocation and inbound delivery seams, which it takes over from their single-attempt defaults.
/// </summary>
public static class ResiliencyServices
{
    public static IServiceCollection AddResiliency(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => ResiliencySpec.Load(sp.GetRequiredService<SidecarContext>().Resources));
        services.AddSingleton(sp => new ResiliencyTelemetry(
            sp.GetRequiredService<SidecarContext>().AppId,
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<IResiliencyPolicyProvider>(sp => new ResiliencyPolicies(
            sp.GetRequiredService<ResiliencySpec>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<ResiliencyTelemetry>(),
            appId: sp.GetRequiredService<SidecarContext>().AppId));
        services.Replace(ServiceDescriptor.Singleton<IInvocationPolicy, ResiliencyInvocationPolicy>());
        services.Replace(ServiceDescriptor.Singleton<IInboundDeliveryPolicy, ResiliencyDeliveryPolicy>());
        return services;
    }
}
