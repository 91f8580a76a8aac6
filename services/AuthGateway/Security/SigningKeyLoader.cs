namespace AuthGateway.Security;

/// <summary>Loads the signing key during start-up: hosted services start before the server takes requests.</summary>
public sealed class SigningKeyLoader(ISigningKeySource source, JwtSigningKey signingKey) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        signingKey.Load(await source.GetSecretAsync(cancellationToken));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
