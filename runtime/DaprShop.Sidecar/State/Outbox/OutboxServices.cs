using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprShop.Sidecar.State.Outbox;

/// <summary>The services of the transactional outbox in one sidecar.</summary>
public static class OutboxServices
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<OutboxRelay>());
        services.AddSingleton<IStateTransactionInterceptor, OutboxInterceptor>();
        return services;
    }
}
