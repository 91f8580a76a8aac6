using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprShop.Sidecar.Actors;

/// <summary>The services of the actor runtime in one sidecar.</summary>
public static class ActorServices
{
    public static IServiceCollection AddActors(this IServiceCollection services)
    {
        services.AddSingleton<ActorRuntime>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddSingleton<IAppReadyListener>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddSingleton<IAppHealthListener>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddSingleton<IMetadataContributor>(sp => sp.GetRequiredService<ActorRuntime>());
        return services;
    }
}
