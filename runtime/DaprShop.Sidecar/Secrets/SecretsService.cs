using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Secrets;

/// <summary>
/// The secrets building block behind the HTTP and gRPC APIs, with daprd's errors
/// (dapr/dapr <c>pkg/api/universal/secrets.go</c>, <c>pkg/api/errors/secrets.go</c>): no secret
/// store at all is 500 / FailedPrecondition <c>ERR_SECRET_STORES_NOT_CONFIGURED</c>; an unknown
/// store 401 / InvalidArgument <c>ERR_SECRET_STORE_NOT_FOUND</c>; a failed read 500 / Internal
/// <c>ERR_SECRET_GET</c>.
/// </summary>
public sealed class SecretsService(SidecarContext sidecar, ILoggerFactory loggerFactory, IResiliencyPolicyProvider resiliency)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger($"daprd.{sidecar.AppId}.secrets");

    public async Task<IReadOnlyDictionary<string, string>> GetSecretAsync(
        string storeName,
        string key,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        var store = GetStore(storeName);
        IReadOnlyDictionary<string, string>? secret;
        try
        {
            // Inside the policy, as in daprd, where the store's "not found" is an error of the call.
            secret = await Outbound(storeName).ExecuteAsync(
                async ct => await store.GetSecretAsync(key, metadata, ct) ?? throw new KeyNotFoundException($"secret {key} not found"),
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Log(GetFailed(storeName, key, e.Message, e));
        }

        // The file store reports a missing secret as an error: "secret {key} not found".
        return secret ?? throw Log(GetFailed(storeName, key, $"secret {key} not found", null));
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretsAsync(
        string storeName,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        var store = GetStore(storeName);
        try
        {
            return await Outbound(storeName).ExecuteAsync(ct => store.GetBulkSecretsAsync(metadata, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Log(new DaprApiException(
                "ERR_SECRET_GET",
                $"failed getting secrets from secret store {storeName}: {e.Message}",
                StatusCodes.Status500InternalServerError,
                StatusCode.Internal,
                e));
        }
    }

    private ISecretStore GetStore(string storeName)
    {
        if (!sidecar.Components.OfType<ISecretStore>().Any())
        {
            throw Log(new DaprApiException(
                "ERR_SECRET_STORES_NOT_CONFIGURED",
                "secret store is not configured",
                StatusCodes.Status500InternalServerError,
                StatusCode.FailedPrecondition));
        }

        return sidecar.Components.Get<ISecretStore>(storeName)
            ?? throw Log(new DaprApiException(
                "ERR_SECRET_STORE_NOT_FOUND",
                $"failed finding secret store with key {storeName}",
                StatusCodes.Status401Unauthorized,
                StatusCode.InvalidArgument));
    }

    /// <summary>The store's resiliency <c>outbound</c> policy, which daprd runs around every call to a secret store.</summary>
    private ResiliencyPolicy Outbound(string storeName) => resiliency.ForComponentOutbound(storeName, ComponentKind.Secretstore);

    private static DaprApiException GetFailed(string storeName, string key, string detail, Exception? inner) =>
        new("ERR_SECRET_GET", $"failed getting secret with key {key} from secret store {storeName}: {detail}", StatusCodes.Status500InternalServerError, StatusCode.Internal, inner);

    private DaprApiException Log(DaprApiException error)
    {
        _logger.LogDebug("Secrets API error {ErrorCode}: {Message}", error.ErrorCode, error.Message);
        return error;
    }
}
