namespace DaprShop.Sidecar.Secrets;

/// <summary>A <c>secretstores.*</c> component: named secrets, each a map of keys to values.</summary>
public interface ISecretStore
{
    /// <summary>The secret's key/value map, or null when there is no such secret.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetSecretAsync(
        string name,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken);

    /// <summary>Every secret in the store.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretsAsync(
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken);
}
