using DaprShop.Contracts;

namespace AuthGateway.Security;

/// <summary>
/// Loads the signing key during start-up: hosted services start before the server takes requests. Outside
/// Development it refuses a development key (<see cref="JwtSigningKey.IsDevelopmentKey"/>), with one log line that
/// says what to set, and the gateway exits with 1 (<see cref="StartupRefusedException"/>).
/// </summary>
public sealed class SigningKeyLoader(ISigningKeySource source, JwtSigningKey signingKey, IHostEnvironment environment, ILogger<SigningKeyLoader> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var secret = await source.GetSecretAsync(cancellationToken);
        if (JwtSigningKey.IsDevelopmentKey(secret) && !environment.IsDevelopment())
        {
            logger.LogCritical(
                "Refusing to start in environment {Environment}: the JWT signing key (secret {Secret} of component {SecretStore}) is the committed development key; point that component at a real secret store holding a random key of at least {MinimumBytes} bytes under that name, or set ASPNETCORE_ENVIRONMENT=Development on a developer machine",
                environment.EnvironmentName,
                DaprSecretSigningKeySource.SecretName,
                DaprComponents.SecretStore,
                JwtSigningKey.MinimumBytes);
            throw new StartupRefusedException($"The development JWT signing key is refused in environment '{environment.EnvironmentName}'.");
        }

        signingKey.Load(secret);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
