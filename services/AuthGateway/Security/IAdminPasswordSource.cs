namespace AuthGateway.Security;

/// <summary>Where the operator's admin password comes from; null when the operator gave none.</summary>
public interface IAdminPasswordSource
{
    Task<string?> GetAsync(CancellationToken cancellationToken);
}
