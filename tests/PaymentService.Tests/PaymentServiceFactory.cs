using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrderService.Tests.Fakes;

namespace PaymentService.Tests;

/// <summary>The payment service in memory, in the Production environment, with fault injection on and no sidecar.</summary>
public sealed class PaymentServiceFactory : WebApplicationFactory<Program>
{
    public InMemoryAppStateStore State { get; } = new();

    public string? AppApiToken { get; init; }

    public bool FaultInjectionEnabled { get; init; } = true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting(PaymentServiceExtensions.FaultInjectionEnabledKey, FaultInjectionEnabled ? "true" : "false");
        if (AppApiToken is not null)
        {
            builder.UseSetting("APP_API_TOKEN", AppApiToken);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<IAppStateStore>(State));
    }
}
