using DaprShop.Contracts.Identity;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NotificationService.Domain;
using OrderService.Tests.Fakes;

namespace NotificationService.Tests;

/// <summary>The notification service in memory (Production environment) with fake state and binding.</summary>
public sealed class NotificationServiceFactory : WebApplicationFactory<Program>
{
    public InMemoryAppStateStore State { get; } = new();

    public RecordingSender Sender { get; } = new();

    public HttpClient ClientFor(string userId)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(IdentityHeaders.UserId, userId);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IAppStateStore>(State);
            services.AddSingleton<INotificationSender>(Sender);
        });
    }
}
