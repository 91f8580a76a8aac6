using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Bindings;

/// <summary>
/// The output bindings building block behind the HTTP and gRPC APIs. Every failure, an unknown
/// binding included, is daprd's 500 / Internal <c>ERR_INVOKE_OUTPUT_BINDING</c> with the message
/// <c>error invoking output binding {name}: {error}</c> (dapr/dapr <c>pkg/messages/predefined.go</c>,
/// <c>pkg/api/grpc/grpc.go</c> <c>InvokeBinding</c>); the inner errors are daprd's
/// <c>sendToOutputBinding</c> ones.
/// </summary>
public sealed class BindingService(SidecarContext sidecar, ILoggerFactory loggerFactory, IResiliencyPolicyProvider resiliency)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger($"daprd.{sidecar.AppId}.bindings");

    public async Task<BindingResponse?> InvokeAsync(string name, BindingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Operation))
        {
            throw Failed(name, "operation field is missing from request", null);
        }

        var binding = sidecar.Components.Get<IOutputBinding>(name)
            ?? throw Failed(name, $"couldn't find output binding {name}", null);
        if (!binding.Operations.Contains(request.Operation, StringComparer.Ordinal))
        {
            throw Failed(name, $"binding {name} does not support operation {request.Operation}. supported operations:{string.Join(' ', binding.Operations)}", null);
        }

        try
        {
            // daprd runs the binding's resiliency outbound policy around the call.
            return await resiliency.ForComponentOutbound(name, ComponentKind.Binding).ExecuteAsync(ct => binding.InvokeAsync(request, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(name, e.Message, e);
        }
    }

    private DaprApiException Failed(string name, string detail, Exception? inner)
    {
        var error = new DaprApiException(
            "ERR_INVOKE_OUTPUT_BINDING",
            $"error invoking output binding {name}: {detail}",
            StatusCodes.Status500InternalServerError,
            StatusCode.Internal,
            inner);
        _logger.LogDebug("Bindings API error {ErrorCode}: {Message}", error.ErrorCode, error.Message);
        return error;
    }
}
