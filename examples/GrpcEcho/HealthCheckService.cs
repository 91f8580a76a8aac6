using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Examples.GrpcEcho;

/// <summary>
/// Dapr's <c>AppCallbackHealthCheck</c> service, which the sidecar calls when app health checks are on
/// (<c>enableAppHealthCheck: true</c> in the run file): OK while <see cref="Healthy"/> is true, Unavailable otherwise.
/// </summary>
public sealed class HealthCheckService : AppCallbackHealthCheck.AppCallbackHealthCheckBase
{
    private static volatile bool _healthy = true;

    /// <summary>What the app tells the sidecar's health probes.</summary>
    public static bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public override Task<HealthCheckResponse> HealthCheck(Empty request, ServerCallContext context) =>
        Healthy
            ? Task.FromResult(new HealthCheckResponse())
            : throw new RpcException(new Status(StatusCode.Unavailable, "grpc-echo is told to be unhealthy"));
}
