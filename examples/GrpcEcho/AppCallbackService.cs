using System.Collections.Concurrent;
using System.Text.Json;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Examples.GrpcEcho;

/// <summary>
/// Dapr's <c>AppCallback</c> service, which the sidecar calls when another app invokes this one with service invocation
/// (the HTTP API's <c>/v1.0/invoke/grpc-echo/method/...</c> or the gRPC API's <c>InvokeService</c>): <c>OnInvoke</c>
/// answers what it was given as JSON; method <c>missing</c> answers NOT_FOUND. The app subscribes to topic <c>echoes</c>
/// of pub/sub <c>pubsub</c> (events of type <c>important</c> to path <c>important</c>, the rest to <c>echoes</c>);
/// <see cref="Events"/> keeps what <c>OnTopicEvent</c> received, and data <c>drop</c> is dropped. It also subscribes to topic
/// <c>echo-batches</c> in bulk (up to 10 events, waiting at most 50 ms for them): <see cref="Batches"/> keeps what
/// <c>OnBulkTopicEvent</c> received, and each entry gets SUCCESS, or DROP for data <c>drop</c>. It takes input bindings
/// <c>ticks</c> and <c>ticks-to-files</c> (<c>ListInputBindings</c>); <see cref="BindingEvents"/> keeps what
/// <c>OnBindingEvent</c> received, and an event of <c>ticks-to-files</c> is answered with data <c>tick from grpc-echo</c>
/// for output binding <c>files</c>, which the sidecar then invokes with operation <c>create</c>.
/// </summary>
public sealed class AppCallbackService : AppCallback.AppCallbackBase
{
    /// <summary>The events the app received, in order.</summary>
    public static ConcurrentQueue<TopicEventRequest> Events { get; } = new();

    /// <summary>The input binding events the app received, in order.</summary>
    public static ConcurrentQueue<BindingEventRequest> BindingEvents { get; } = new();

    /// <summary>The bulks of events the app received, in order.</summary>
    public static ConcurrentQueue<TopicEventBulkRequest> Batches { get; } = new();

    public override Task<ListTopicSubscriptionsResponse> ListTopicSubscriptions(Empty request, ServerCallContext context)
    {
        var subscription = new TopicSubscription
        {
            PubsubName = "pubsub",
            Topic = "echoes",
            Routes = new TopicRoutes { Default = "echoes" },
        };
        subscription.Routes.Rules.Add(new TopicRule { Match = "event.type == \"important\"", Path = "important" });
        var response = new ListTopicSubscriptionsResponse();
        response.Subscriptions.Add(subscription);
        response.Subscriptions.Add(new TopicSubscription
        {
            PubsubName = "pubsub",
            Topic = "echo-batches",
            Routes = new TopicRoutes { Default = "batches" },
            BulkSubscribe = new BulkSubscribeConfig { Enabled = true, MaxMessagesCount = 10, MaxAwaitDurationMs = 50 },
        });
        return Task.FromResult(response);
    }

    public override Task<ListInputBindingsResponse> ListInputBindings(Empty request, ServerCallContext context)
    {
        var response = new ListInputBindingsResponse();
        response.Bindings.Add(["ticks", "ticks-to-files"]);
        return Task.FromResult(response);
    }

    public override Task<BindingEventResponse> OnBindingEvent(BindingEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        BindingEvents.Enqueue(request);
        var response = new BindingEventResponse();
        if (request.Name == "ticks-to-files")
        {
            // JSON, as daprd reads the answer's data before it hands it to the output bindings.
            response.Data = ByteString.CopyFromUtf8("\"tick from grpc-echo\"");
            response.To.Add("files");
        }

        return Task.FromResult(response);
    }

    public override Task<TopicEventBulkResponse> OnBulkTopicEvent(TopicEventBulkRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        Batches.Enqueue(request);
        var response = new TopicEventBulkResponse();
        foreach (var entry in request.Entries)
        {
            response.Statuses.Add(new TopicEventBulkResponseEntry
            {
                EntryId = entry.EntryId,
                Status = entry.CloudEvent?.Data.ToStringUtf8() == "\"drop\""
                    ? TopicEventResponse.Types.TopicEventResponseStatus.Drop
                    : TopicEventResponse.Types.TopicEventResponseStatus.Success,
            });
        }

        return Task.FromResult(response);
    }

    public override Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        Events.Enqueue(request);
        var status = request.Data.ToStringUtf8() == "drop"
            ? TopicEventResponse.Types.TopicEventResponseStatus.Drop
            : TopicEventResponse.Types.TopicEventResponseStatus.Success;
        return Task.FromResult(new TopicEventResponse { Status = status });
    }

    public override Task<InvokeResponse> OnInvoke(InvokeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (request.Method == "missing")
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no method missing here"));
        }

        var seen = new
        {
            method = request.Method,
            verb = request.HttpExtension?.Verb.ToString(),
            query = request.HttpExtension?.Querystring,
            contentType = request.ContentType,
            data = request.Data?.Value.ToStringUtf8(),
            caller = context.RequestHeaders.GetValue("dapr-caller-app-id"),
            token = context.RequestHeaders.GetValue("dapr-api-token"),
        };
        return Task.FromResult(new InvokeResponse
        {
            Data = new Any { Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(seen)) },
            ContentType = "application/json",
        });
    }
}
