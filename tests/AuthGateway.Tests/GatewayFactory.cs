using AuthGateway.Security;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderService.Tests.Fakes;

namespace AuthGateway.Tests;

/// <summary>The gateway in memory (Production environment): fake state, a fixed signing key, and a stand-in sidecar port.</summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string SigningSecret = "test-signing-secret-that-is-at-least-32-bytes";

    public InMemoryAppStateStore State { get; } = new();

    public int DaprHttpPort { get; init; } = 1;

    /// <summary>The host environment (Production unless a test says otherwise).</summary>
    public string Environment { get; init; } = "Production";

    /// <summary>Secret <c>jwt-signing-key</c> as the secret store gives it.</summary>
    public string SigningKey { get; init; } = SigningSecret;

    /// <summary>More configuration (name → value), for example tighter rate limits.</summary>
    public IDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The gateway's clock; the system clock when null.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>What the gateway logged, one line per entry: level, category and message.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    public string? DaprApiToken { get; init; }

    /// <summary><c>Auth:AdminEmail</c>, the operator's admin account.</summary>
    public string? AdminEmail { get; init; }

    /// <summary>Secret <c>admin-password</c>; null as when the secret store has none.</summary>
    public string? AdminPassword { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.ConfigureLogging(logging => logging.AddProvider(new QueueLoggerProvider(Logs)));
        builder.UseSetting("DAPR_HTTP_PORT", DaprHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (DaprApiToken is not null)
        {
            builder.UseSetting("DAPR_API_TOKEN", DaprApiToken);
        }

        foreach (var (name, value) in Settings)
        {
            builder.UseSetting(name, value);
        }

        if (AdminEmail is not null)
        {
            builder.UseSetting("Auth:AdminEmail", AdminEmail);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IAppStateStore>(State);
            services.AddSingleton<ISigningKeySource>(new FixedSigningKeySource(SigningKey));
            services.AddSingleton<IAdminPasswordSource>(new FixedAdminPasswordSource(AdminPassword));
            if (Clock is not null)
            {
                services.AddSingleton(Clock);
            }
        });
    }

    private sealed class QueueLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(System.Collections.Concurrent.ConcurrentQueue<string> lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
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
