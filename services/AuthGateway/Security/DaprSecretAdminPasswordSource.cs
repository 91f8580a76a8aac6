using Dapr;
using Dapr.Client;
using DaprShop.Contracts;

namespace AuthGateway.Security;

/// <summary>
/// Reads secret <c>admin-password</c> from the Dapr secret store <c>secretstore</c>, once: by then the signing key has
/// been read from the same store, so a failure means the secret is not there.
/// </summary>
public sealed class DaprSecretAdminPasswordSource(DaprClient dapr, ILogger<DaprSecretAdminPasswordSource> logger) : IAdminPasswordSource
{
    public const string SecretName = "admin-password";

    public async Task<string?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var values = await dapr.GetSecretAsync(DaprComponents.SecretStore, SecretName, cancellationToken: cancellationToken);
            return values.TryGetValue(SecretName, out var secret) ? secret : values.Count == 1 ? values.Values.Single() : null;
        }
        catch (DaprException exception)
        {
            logger.LogInformation("Secret {Secret} not read from secret store {SecretStore}: {Reason}", SecretName, DaprComponents.SecretStore, exception.InnerException?.Message ?? exception.Message);
            return null;
        }
    }
}
