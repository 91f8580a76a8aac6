using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.PubSub;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Grpc;

/// <summary>The publish API over gRPC: <c>PublishEvent</c>, which Dapr.Client's <c>PublishEventAsync</c> calls.</summary>
public sealed partial class DaprGrpcService
{
    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "DaprGrpcService binds instance methods by name.")]
    public async Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var publisher = context.GetHttpContext().RequestServices.GetRequiredService<PubSubPublisher>();
        var parent = TraceContext.Parse(
            context.RequestHeaders.GetValue(TraceContext.TraceParentHeader),
            context.RequestHeaders.GetValue(TraceContext.TraceStateHeader));
        var (activity, trace) = TraceContext.StartSpan($"PublishEvent/{request.PubsubName}/{request.Topic}", ActivityKind.Producer, parent);
        using (activity)
        {
            await publisher.PublishAsync(
                new PublishRequest(request.PubsubName, request.Topic, request.Data.Memory, request.DataContentType, request.Metadata, trace),
                context.CancellationToken);
        }

        return new Empty();
    }
}
