using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DaprShop.Sidecar.Invocation;

/// <summary>The services of service invocation in one sidecar.</summary>
public static class InvocationServices
{
    public static IServiceCollection AddInvocation(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.TryAddSingleton<IInvocationPolicy, SingleAttemptInvocationPolicy>();
        services.AddSingleton<LocalAppInvoker>();
        services.AddSingleton<InvocationForwarder>();
        services.AddSingleton<GrpcAppProxy>();
        return services;
    }
}
