using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Secrets;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Grpc;

/// <summary>The secrets API over gRPC: <c>GetSecret</c> and <c>GetBulkSecret</c>.</summary>
public sealed partial class DaprGrpcService
{
    public static async Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var secrets = context.GetHttpContext().RequestServices.GetRequiredService<SecretsService>();
        var secret = await secrets.GetSecretAsync(request.StoreName, request.Key, request.Metadata, context.CancellationToken);
        var response = new GetSecretResponse();
        response.Data.Add(secret.ToDictionary());
        return response;
    }

    public static async Task<GetBulkSecretResponse> GetBulkSecret(GetBulkSecretRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var secrets = context.GetHttpContext().RequestServices.GetRequiredService<SecretsService>();
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
