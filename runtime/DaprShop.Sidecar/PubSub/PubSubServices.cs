using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DaprShop.Sidecar.PubSub;

/// <summary>The services of pub/sub in one sidecar.</summary>
public static class PubSubServices
{
    public static IServiceCollection AddPubSub(this IServiceCollection services)
    {
        services.TryAddSingleton<IInboundDeliveryPolicy, SingleAttemptDeliveryPolicy>();
        services.AddSingleton<PubSubPublisher>();
        services.AddSingleton<AppDelivery>();
        services.AddSingleton<MessageDispatcher>();
        services.AddSingleton<BulkAppDelivery>();
        services.AddSingleton<BulkMessageDispatcher>();
        services.AddSingleton<SubscriptionManager>();
        services.AddSingleton<IAppReadyListener>(sp => sp.GetRequiredService<SubscriptionManager>());
        services.AddSingleton<IAppHealthListener>(sp => sp.GetRequiredService<SubscriptionManager>());
        services.AddSingleton<IMetadataContributor>(sp => sp.GetRequiredService<SubscriptionManager>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SubscriptionManager>());
        return services;
    }
}
