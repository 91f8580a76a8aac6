using Dapr;
using Dapr.Client;
using DaprShop.Contracts;
using Microsoft.Extensions.Options;

namespace AuthGateway.Security;

/// <summary>
/// Reads secret <c>jwt-signing-key</c> from the Dapr secret store <c>secretstore</c>, after waiting for the sidecar.
/// Retries until <see cref="AuthOptions.SidecarTimeout"/>, and says what it is waiting for while it waits.
/// </summary>
public sealed class DaprSecretSigningKeySource(DaprClient dapr, IOptions<AuthOptions> options, TimeProvider clock, ILogger<DaprSecretSigningKeySource> logger)
    : ISigningKeySource
{
    public const string SecretName = "jwt-signing-key";

    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(5);

    public async Task<string> GetSecretAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.SidecarTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = clock.GetTimestamp();

        try
        {
            await WaitForSidecarAsync(started, deadline.Token);
            return await ReadSecretAsync(started, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"Could not read secret '{SecretName}' from Dapr secret store '{DaprComponents.SecretStore}' within {timeout}: is the sidecar running with the secret store component?");
        }
    }

    private async Task WaitForSidecarAsync(long started, CancellationToken cancellationToken)
    {
        logger.LogInformation("Waiting for the Dapr sidecar to read the JWT signing key from secret store {SecretStore}", DaprComponents.SecretStore);
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(Attempt);
            try
            {
                await dapr.WaitForSidecarAsync(attempt.Token);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Still waiting for the Dapr sidecar after {Elapsed:0} s", clock.GetElapsedTime(started).TotalSeconds);
            }
        }
    }

    private async Task<string> ReadSecretAsync(long started, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var values = await dapr.GetSecretAsync(DaprComponents.SecretStore, SecretName, cancellationToken: cancellationToken);
                var secret = SecretValue(values)
                    ?? throw new InvalidOperationException($"Secret '{SecretName}' in store '{DaprComponents.SecretStore}' has no value named '{SecretName}'.");

                logger.LogInformation("Read the JWT signing key from secret store {SecretStore}", DaprComponents.SecretStore);
                return secret;
            }
            catch (DaprException exception)
            {
                logger.LogWarning("Secret store {SecretStore} not ready after {Elapsed:0} s: {Reason}", DaprComponents.SecretStore, clock.GetElapsedTime(started).TotalSeconds, exception.InnerException?.Message ?? exception.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), clock, cancellationToken);
            }
        }
    }

    /// <summary>The value named like the secret; a secret with a single value of another name is taken as it is.</summary>
    public static string? SecretValue(IReadOnlyDictionary<string, string> values) =>
        values.TryGetValue(SecretName, out var secret) ? secret : values.Count == 1 ? values.Values.Single() : null;
}
