using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using Grpc.Core;

namespace DaprShop.Sidecar.Secrets;

/// <summary>The secrets API over gRPC: <c>GetSecret</c> and <c>GetBulkSecret</c>.</summary>
public static class SecretsGrpcApi
{
    public static DaprGrpcMethods MapSecretsGrpcApi(this DaprGrpcMethods methods, SecretsService secrets)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods
            .Unary<GetSecretRequest, GetSecretResponse>(nameof(GetSecret), (request, context) => GetSecret(secrets, request, context))
            .Unary<GetBulkSecretRequest, GetBulkSecretResponse>(nameof(GetBulkSecret), (request, context) => GetBulkSecret(secrets, request, context));
    }

    public static async Task<GetSecretResponse> GetSecret(SecretsService secrets, GetSecretRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var secret = await secrets.GetSecretAsync(request.StoreName, request.Key, request.Metadata, context.CancellationToken);
        var response = new GetSecretResponse();
        response.Data.Add(secret.ToDictionary());
        return response;
    }

    public static async Task<GetBulkSecretResponse> GetBulkSecret(SecretsService secrets, GetBulkSecretRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var all = await secrets.GetBulkSecretsAsync(request.StoreName, request.Metadata, context.CancellationToken);
        var response = new GetBulkSecretResponse();
        foreach (var (name, values) in all)
        {
            var item = new SecretResponse();
            item.Secrets.Add(values.ToDictionary());
            response.Data.Add(name, item);
        }

        return response;
    }
}
