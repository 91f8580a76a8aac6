using AuthGateway.Security;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrderService.Tests.Fakes;

namespace AuthGateway.Tests;

/// <summary>The gateway in memory (Production environment): fake state, a fixed signing key, and a stand-in sidecar port.</summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string SigningSecret = "test-signing-secret-that-is-at-least-32-bytes";

    public InMemoryStateStore State { get; } = new();

    public int DaprHttpPort { get; init; } = 1;

    public string? DaprApiToken { get; init; }

    /// <summary><c>Auth:AdminEmail</c>, the operator's admin account.</summary>
    public string? AdminEmail { get; init; }

    /// <summary>Secret <c>admin-password</c>; null as when the secret store has none.</summary>
    public string? AdminPassword { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("DAPR_HTTP_PORT", DaprHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (DaprApiToken is not null)
        {
            builder.UseSetting("DAPR_API_TOKEN", DaprApiToken);
        }

        if (AdminEmail is not null)
        {
            builder.UseSetting("Auth:AdminEmail", AdminEmail);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStateStore>(State);
            services.AddSingleton<ISigningKeySource>(new FixedSigningKeySource(SigningSecret));
            services.AddSingleton<IAdminPasswordSource>(new FixedAdminPasswordSource(AdminPassword));
        });
    }

    private sealed class FixedAdminPasswordSource(string? password) : IAdminPasswordSource
    {
        public Task<string?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(password);
    }

    private sealed class FixedSigningKeySource(string secret) : ISigningKeySource
    {
        public Task<string> GetSecretAsync(CancellationToken cancellationToken) => Task.FromResult(secret);
    }
}
