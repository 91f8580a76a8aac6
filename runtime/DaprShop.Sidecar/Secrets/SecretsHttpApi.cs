using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Secrets;

/// <summary>
/// The secrets API over HTTP, as daprd's <c>pkg/api/http/secrets.go</c> serves it:
/// <c>GET /v1.0/secrets/{store}/{name}</c> answers the secret's key/value map and
/// <c>GET /v1.0/secrets/{store}/bulk</c> a map of secret name to key/value map. Query parameters
/// <c>metadata.{key}</c> become request metadata.
/// </summary>
public static class SecretsHttpApi
{
    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1.0/secrets/{storeName}").AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync);
        group.MapGet("/bulk", GetBulkSecretAsync);
        group.MapGet("/{key}", GetSecretAsync);
        return endpoints;
    }

    public static async Task<IResult> GetSecretAsync(string storeName, string key, HttpRequest request, SecretsService secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var secret = await secrets.GetSecretAsync(storeName, key, RequestMetadata.FromQuery(request), cancellationToken);
        return Results.Json(secret, DaprJson.Options);
    }

    public static async Task<IResult> GetBulkSecretAsync(string storeName, HttpRequest request, SecretsService secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var all = await secrets.GetBulkSecretsAsync(storeName, RequestMetadata.FromQuery(request), cancellationToken);
        return Results.Json(all, DaprJson.Options);
    }
}
