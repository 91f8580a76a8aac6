using System.Diagnostics;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Sidecar.PubSub;

/// <summary>The publish API over gRPC: <c>PublishEvent</c>, which Dapr.Client's <c>PublishEventAsync</c> calls.</summary>
public static class PubSubGrpcApi
{
    public static DaprGrpcMethods MapPubSubGrpcApi(this DaprGrpcMethods methods, PubSubPublisher publisher)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods
            .Unary<PublishEventRequest, Empty>(nameof(PublishEvent), (request, context) => PublishEvent(publisher, request, context))
            .Unary<Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest, BulkPublishResponse>("BulkPublishEvent", (request, context) => BulkPublishEvent(publisher, request, context))
            .Unary<Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest, BulkPublishResponse>("BulkPublishEventAlpha1", (request, context) => BulkPublishEvent(publisher, request, context));
    }

    public static async Task<Empty> PublishEvent(PubSubPublisher publisher, PublishEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
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

    /// <summary>
    /// <c>BulkPublishEvent</c> (and its alpha name, which Dapr.Client's <c>BulkPublishEventAsync</c> calls): every entry
    /// published, or daprd's <c>ERR_PUBSUB_PUBLISH_MESSAGE</c> error when any failed (over gRPC the failed entries are not
    /// listed then, as in daprd, whose answer to an error carries no response).
    /// </summary>
    public static async Task<BulkPublishResponse> BulkPublishEvent(PubSubPublisher publisher, Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var parent = TraceContext.Parse(
            context.RequestHeaders.GetValue(TraceContext.TraceParentHeader),
            context.RequestHeaders.GetValue(TraceContext.TraceStateHeader));

        // A protobuf map arrives empty when it was not sent: as in daprd (a nil Go map), such an entry has no metadata.
        var entries = request.Entries
            .Select(e => new BulkPublishEntry(e.EntryId, e.Event.Memory, e.ContentType, e.Metadata.Count == 0 ? null : e.Metadata))
            .ToList();
        var result = await publisher.BulkPublishAsync(
            new BulkPublishRequest(request.PubsubName, request.Topic, entries, request.Metadata, parent),
            context.CancellationToken);
        return result.Error is { } error ? throw error : new BulkPublishResponse();
    }
}
