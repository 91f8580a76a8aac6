namespace AuthGateway.Security;

/// <summary>Where the JWT signing secret comes from.</summary>
public interface ISigningKeySource
{
    Task<string> GetSecretAsync(CancellationToken cancellationToken);
}
