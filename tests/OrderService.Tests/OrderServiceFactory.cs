using DaprShop.Contracts.Identity;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrderService.Actors;
using OrderService.Domain;
using OrderService.Tests.Fakes;

namespace OrderService.Tests;

/// <summary>
/// The order service in memory (Production environment) with fake state, payment and outbox, and its order actors
/// hosted in process (no sidecar).
/// </summary>
public sealed class OrderServiceFactory : WebApplicationFactory<Program>
{
    public InMemoryAppStateStore State { get; } = new();

    public InMemoryOrderLogStore Logs { get; } = new();

    public FakePaymentGateway Payments { get; } = new();

    public InProcessOrderActors Actors => Services.GetRequiredService<InProcessOrderActors>();

    /// <summary>A client that calls as the gateway does for <paramref name="userId"/>.</summary>
    public HttpClient ClientFor(string userId, string roles = Roles.Customer)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(IdentityHeaders.UserId, userId);
        client.DefaultRequestHeaders.Add(IdentityHeaders.UserEmail, $"{userId}@example.com");
        client.DefaultRequestHeaders.Add(IdentityHeaders.UserRoles, roles);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IAppStateStore>(State);
            services.AddSingleton<IOrderLogStore>(Logs);
            services.AddSingleton<IPaymentGateway>(Payments);
            services.AddSingleton<InProcessOrderActors>();
            services.AddSingleton<IOrderActors>(provider => provider.GetRequiredService<InProcessOrderActors>());
        });
    }
}
