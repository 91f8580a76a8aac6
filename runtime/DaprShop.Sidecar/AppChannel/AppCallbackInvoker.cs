using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapr.AppCallback.Autogen.Grpc.v1;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.PubSub;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprShop.Sidecar.AppChannel;

/// <summary>
/// The sidecar's calls to an app served over gRPC, on Dapr's <c>AppCallback</c> service, as daprd's gRPC app channel
/// makes them (<c>pkg/channel/grpc</c>, <c>pkg/runtime/pubsub/subscriptions.go</c>,
/// <c>pkg/runtime/subscription/postman/grpc</c>): the app's topic subscriptions (<c>ListTopicSubscriptions</c>; an app
/// that does not implement it subscribes to nothing), each event (<c>OnTopicEvent</c>), and service invocation
/// (<c>OnInvoke</c>): the
/// request becomes <c>AppCallback.OnInvoke</c> with the method, the body as data, its content type and an
/// <c>http_extension</c> holding the verb and query string; the request's headers go as metadata, with the app's
/// APP_API_TOKEN. The answer's data and content type make a 200; a gRPC error becomes the HTTP status daprd maps it to
/// (<c>HTTPStatusFromCode</c>) with the status as JSON (<c>{"code":5,"message":"..."}</c>) for a body, and
/// <see cref="GrpcStatusHeader"/>/<see cref="GrpcMessageHeader"/> so that a gRPC caller gets the app's own status back.
/// </summary>
public sealed class AppCallbackInvoker : IDisposable
{
    /// <summary>The app's gRPC status, on a response made from an OnInvoke answer (for the gRPC API's InvokeService).</summary>
    public const string GrpcStatusHeader = "dapr-app-grpc-status";

    public const string GrpcMessageHeader = "dapr-app-grpc-message";

    /// <summary>Set on a request from the gRPC API's InvokeService whose message had no HTTP extension, which OnInvoke then gets without one too.</summary>
    public static readonly HttpRequestOptionsKey<bool> WithoutHttpExtension = new("DaprShop.Sidecar.Invocation.WithoutHttpExtension");

    private static readonly HashSet<string> HeadersNotSent = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "content-type", "connection", "transfer-encoding", "keep-alive", "upgrade", "te", "expect",
    };

    /// <summary>
    /// <c>AppCallback.OnInvoke</c>; Dapr.Protos ships only the app's side of AppCallback (its server base), so the
    /// sidecar's client call is defined here, with the service's name from the descriptor.
    /// </summary>
    private static readonly Method<Autogen.InvokeRequest, Autogen.InvokeResponse> OnInvoke = Define<Autogen.InvokeRequest, Autogen.InvokeResponse>("OnInvoke", Autogen.InvokeRequest.Parser, Autogen.InvokeResponse.Parser);

    private static readonly Method<Empty, ListTopicSubscriptionsResponse> ListTopicSubscriptions = Define<Empty, ListTopicSubscriptionsResponse>("ListTopicSubscriptions", Empty.Parser, ListTopicSubscriptionsResponse.Parser);

    private static readonly Method<TopicEventRequest, TopicEventResponse> OnTopicEvent = Define<TopicEventRequest, TopicEventResponse>("OnTopicEvent", TopicEventRequest.Parser, TopicEventResponse.Parser);

    private static readonly Method<Empty, ListInputBindingsResponse> ListInputBindings = Define<Empty, ListInputBindingsResponse>("ListInputBindings", Empty.Parser, ListInputBindingsResponse.Parser);

    private static readonly Method<BindingEventRequest, BindingEventResponse> OnBindingEvent = Define<BindingEventRequest, BindingEventResponse>("OnBindingEvent", BindingEventRequest.Parser, BindingEventResponse.Parser);

    private static readonly Method<Empty, HealthCheckResponse> HealthCheck = Define<Empty, HealthCheckResponse>("HealthCheck", Empty.Parser, HealthCheckResponse.Parser, AppCallbackHealthCheck.Descriptor.FullName);

    private static readonly Method<TopicEventBulkRequest, TopicEventBulkResponse> OnBulkTopicEvent = Define<TopicEventBulkRequest, TopicEventBulkResponse>("OnBulkTopicEvent", TopicEventBulkRequest.Parser, TopicEventBulkResponse.Parser);

    private static readonly Method<TopicEventBulkRequest, TopicEventBulkResponse> OnBulkTopicEventAlpha1 = Define<TopicEventBulkRequest, TopicEventBulkResponse>("OnBulkTopicEventAlpha1", TopicEventBulkRequest.Parser, TopicEventBulkResponse.Parser, AppCallbackAlpha.Descriptor.FullName);

    /// <summary>CloudEvent fields a <c>TopicEventRequest</c> carries in fields of its own; the rest go in its extensions.</summary>
    private static readonly HashSet<string> EnvelopeFields = new(StringComparer.Ordinal)
    {
        CloudEvents.IdField, CloudEvents.SourceField, CloudEvents.TypeField, CloudEvents.SpecVersionField,
        CloudEvents.DataContentTypeField, CloudEvents.DataField, CloudEvents.DataBase64Field,
    };

    private readonly SidecarContext _sidecar;
    private readonly Lazy<GrpcChannel> _channel;

    public AppCallbackInvoker(SidecarContext sidecar)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        _sidecar = sidecar;
        _channel = new Lazy<GrpcChannel>(() => GrpcChannel.ForAddress(
            sidecar.App.BaseAddress ?? throw new InvalidOperationException("the app has no port"),
            new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true }, MaxReceiveMessageSize = null }));
    }

    /// <summary>Calls OnInvoke with <paramref name="request"/> for <paramref name="method"/> and answers as daprd's HTTP API would.</summary>
    public async Task<HttpResponseMessage> InvokeAsync(HttpRequestMessage request, string method, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var message = new Autogen.InvokeRequest
        {
            Method = method,
            Data = new Any { Value = ByteString.CopyFrom(body) },
            ContentType = request.Content?.Headers.ContentType?.ToString() ?? string.Empty,
        };
        if (!request.Options.TryGetValue(WithoutHttpExtension, out var without) || !without)
        {
            message.HttpExtension = new Autogen.HTTPExtension
            {
                Verb = System.Enum.TryParse<Autogen.HTTPExtension.Types.Verb>(request.Method.Method, ignoreCase: true, out var verb) ? verb : Autogen.HTTPExtension.Types.Verb.Post,
                Querystring = request.RequestUri?.Query.TrimStart('?') ?? string.Empty,
            };
        }
        var metadata = new global::Grpc.Core.Metadata();
        foreach (var (name, values) in request.Headers)
        {
            if (!HeadersNotSent.Contains(name) && !name.Equals(AppChannelClient.ApiTokenHeader, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in values)
                {
                    metadata.Add(name.ToLowerInvariant(), value);
                }
            }
        }

        if (!string.IsNullOrEmpty(_sidecar.Options.AppApiToken))
        {
            metadata.Add(AppChannelClient.ApiTokenHeader, _sidecar.Options.AppApiToken);
        }

        using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(OnInvoke, null, new CallOptions(metadata, cancellationToken: cancellationToken), message);
        try
        {
            var answer = await call;
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(answer.Data?.Value.ToByteArray() ?? []),
            };
            if (answer.ContentType.Length > 0 && MediaTypeHeaderValue.TryParse(answer.ContentType, out var contentType))
            {
                response.Content.Headers.ContentType = contentType;
            }

            CopyHeaders(await call.ResponseHeadersAsync, response);
            return response;
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            var status = (int)e.StatusCode;
            var json = e.Status.Detail.Length > 0
                ? $"{{\"code\":{status},\"message\":{System.Text.Json.JsonSerializer.Serialize(e.Status.Detail)}}}"
                : $"{{\"code\":{status}}}";
            var response = new HttpResponseMessage((HttpStatusCode)HttpStatusFromCode(e.StatusCode))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            response.Headers.TryAddWithoutValidation(GrpcStatusHeader, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation(GrpcMessageHeader, Uri.EscapeDataString(e.Status.Detail));
            return response;
        }
    }

    /// <summary>The app's topic subscriptions; none when it does not implement <c>ListTopicSubscriptions</c>.</summary>
    /// <exception cref="RpcException">The app failed otherwise.</exception>
    public async Task<IReadOnlyList<TopicSubscription>> ListTopicSubscriptionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(ListTopicSubscriptions, null, new CallOptions(TokenMetadata(), cancellationToken: cancellationToken), new Empty());
            return [.. (await call).Subscriptions];
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return [];
        }
    }

    /// <summary>
    /// Hands one event to the app: the envelope's fields, its data (<c>data_base64</c> decoded; <c>data</c> as text for
    /// text content types, as JSON for JSON ones), the other CloudEvent fields as extensions; the subscription's metadata
    /// and the event's trace as call metadata. SUCCESS delivers, RETRY (or an unknown status, or an error) retries, DROP
    /// and UNIMPLEMENTED drop.
    /// </summary>
    public async Task<DeliveryResult> OnTopicEventAsync(SubscribedEvent subscribedEvent, TraceContext trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscribedEvent);
        var cloudEvent = subscribedEvent.CloudEvent;
        var eventId = CloudEvents.GetString(cloudEvent, CloudEvents.IdField);
        var request = new TopicEventRequest
        {
            Id = eventId ?? string.Empty,
            Source = CloudEvents.GetString(cloudEvent, CloudEvents.SourceField) ?? string.Empty,
            Type = CloudEvents.GetString(cloudEvent, CloudEvents.TypeField) ?? string.Empty,
            SpecVersion = CloudEvents.GetString(cloudEvent, CloudEvents.SpecVersionField) ?? string.Empty,
            DataContentType = CloudEvents.GetString(cloudEvent, CloudEvents.DataContentTypeField) ?? string.Empty,
            Topic = subscribedEvent.Topic,
            PubsubName = subscribedEvent.PubsubName,
            Path = subscribedEvent.Path,
        };
        if (!TryReadData(cloudEvent, request.DataContentType, readBase64: true, out var data, out var problem))
        {
            return new DeliveryResult(DeliveryStatus.Retry, null, $"error returned from app while processing pub/sub event: {problem}");
        }

        request.Data = data;
        request.Extensions = Extensions(cloudEvent);

        var metadata = CallMetadata(subscribedEvent.Metadata, trace);
        TopicEventResponse answer;
        try
        {
            using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(OnTopicEvent, null, new CallOptions(metadata, cancellationToken: cancellationToken), request);
            answer = await call;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return new DeliveryResult(DeliveryStatus.Drop, (int)e.StatusCode, $"non-retriable error returned from app while processing pub/sub event {eventId}: {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryStatus.Retry, (int)e.StatusCode, $"error returned from app while processing pub/sub event {eventId}: {e.Status.Detail}");
        }

        return answer.Status switch
        {
            TopicEventResponse.Types.TopicEventResponseStatus.Success => DeliveryResult.Delivered,
            TopicEventResponse.Types.TopicEventResponseStatus.Retry => new DeliveryResult(DeliveryStatus.Retry, null, $"RETRY status returned from app while processing pub/sub event {eventId}"),
            TopicEventResponse.Types.TopicEventResponseStatus.Drop => new DeliveryResult(DeliveryStatus.Drop, null, $"DROP status returned from app while processing pub/sub event {eventId}"),
            _ => new DeliveryResult(DeliveryStatus.Retry, null, $"unknown status returned from app while processing pub/sub event {eventId}, status: {answer.Status}"),
        };
    }

    /// <summary>The input bindings the app takes (<c>ListInputBindings</c>); none when it fails, as daprd reads it.</summary>
    public async Task<IReadOnlyList<string>> ListInputBindingsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(ListInputBindings, null, new CallOptions(TokenMetadata(), cancellationToken: cancellationToken), new Empty());
            return [.. (await call).Bindings];
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }

    /// <summary>Hands an input binding's event to the app on <c>OnBindingEvent</c>, with the event's trace and the app token.</summary>
    /// <exception cref="RpcException">The app failed.</exception>
    public async Task<BindingEventResponse> OnBindingEventAsync(string name, DaprShop.Sidecar.Bindings.InputBindingEvent bindingEvent, TraceContext trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bindingEvent);
        var request = new BindingEventRequest { Name = name, Data = ByteString.CopyFrom(bindingEvent.Data.Span) };
        request.Metadata.Add(bindingEvent.Metadata.ToDictionary());
        var metadata = CallMetadata(new Dictionary<string, string>(), trace);
        using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(OnBindingEvent, null, new CallOptions(metadata, cancellationToken: cancellationToken), request);
        return await call;
    }

    /// <summary>Asks the app's <c>AppCallbackHealthCheck.HealthCheck</c>, as daprd's gRPC channel probes an app's health (without the app token).</summary>
    /// <exception cref="RpcException">The app is not healthy, or does not answer.</exception>
    public async Task HealthCheckAsync(CancellationToken cancellationToken)
    {
        using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(HealthCheck, null, new CallOptions(cancellationToken: cancellationToken), new Empty());
        await call;
    }

    /// <summary>
    /// Hands a bulk of events to the app on <c>AppCallback.OnBulkTopicEvent</c>, and on <c>AppCallbackAlpha.OnBulkTopicEventAlpha1</c>
    /// when the app does not implement that (daprd's fallback), with the bulk's metadata, the trace and the app token as call metadata.
    /// </summary>
    /// <exception cref="RpcException">The app failed; Unimplemented when it implements neither.</exception>
    public async Task<TopicEventBulkResponse> OnBulkTopicEventAsync(TopicEventBulkRequest request, IReadOnlyDictionary<string, string> metadata, TraceContext? trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(metadata);
        var options = new CallOptions(CallMetadata(metadata, trace), cancellationToken: cancellationToken);
        try
        {
            using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(OnBulkTopicEvent, null, options, request);
            return await call;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            using var call = _channel.Value.CreateCallInvoker().AsyncUnaryCall(OnBulkTopicEventAlpha1, null, options, request);
            return await call;
        }
    }

    /// <summary>
    /// The event's data as the app gets it on gRPC: <c>data_base64</c> decoded (when <paramref name="readBase64"/>; daprd's bulk
    /// delivery does not read it), else <c>data</c> as text for text content types and as JSON for JSON ones, else none.
    /// </summary>
    internal static bool TryReadData(System.Text.Json.Nodes.JsonObject cloudEvent, string dataContentType, bool readBase64, out ByteString data, out string? problem)
    {
        data = ByteString.Empty;
        problem = null;
        if (readBase64 && cloudEvent[CloudEvents.DataBase64Field] is { } base64)
        {
            try
            {
                data = ByteString.FromBase64(base64.GetValue<string>());
                return true;
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                problem = e.Message;
                return false;
            }
        }

        if (cloudEvent[CloudEvents.DataField] is { } value)
        {
            var type = dataContentType.Split(';')[0].Trim().ToLowerInvariant();
            if (type.StartsWith("text/", StringComparison.Ordinal) || type == "application/xml")
            {
                if (value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    problem = "unexpected data in the envelope";
                    return false;
                }

                data = ByteString.CopyFromUtf8(value.GetValue<string>());
            }
            else if (CloudEvents.IsJsonContentType(type) || CloudEvents.IsCloudEventContentType(type))
            {
                // daprd marshals the decoded value again (json.Marshal), which is what the app gets.
                data = ByteString.CopyFromUtf8(DaprShop.Sidecar.Components.GoJson.Marshal(value));
            }
        }

        return true;
    }

    /// <summary>The CloudEvent's fields that have no field of their own in a gRPC topic event.</summary>
    internal static Struct Extensions(System.Text.Json.Nodes.JsonObject cloudEvent)
    {
        var extensions = new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, value) in cloudEvent)
        {
            if (!EnvelopeFields.Contains(name))
            {
                extensions[name] = value?.DeepClone();
            }
        }

        return Struct.Parser.ParseJson(extensions.ToJsonString());
    }

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }

    private static Method<TRequest, TResponse> Define<TRequest, TResponse>(string name, MessageParser<TRequest> request, MessageParser<TResponse> response, string? service = null)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        new(MethodType.Unary, service ?? AppCallback.Descriptor.FullName, name, Marshallers.Create(m => m.ToByteArray(), request.ParseFrom), Marshallers.Create(m => m.ToByteArray(), response.ParseFrom));

    /// <summary>Call metadata for an event: the app token, <paramref name="metadata"/> (keys in lower case, as gRPC metadata has them) and the trace.</summary>
    private global::Grpc.Core.Metadata CallMetadata(IReadOnlyDictionary<string, string> metadata, TraceContext? trace)
    {
        var headers = TokenMetadata();
        foreach (var (key, value) in metadata)
        {
            headers.Add(key.ToLowerInvariant(), value);
        }

        if (trace is { } context)
        {
            headers.Add(TraceContext.TraceParentHeader, context.TraceParent);
            if (!string.IsNullOrEmpty(context.TraceState))
            {
                headers.Add(TraceContext.TraceStateHeader, context.TraceState);
            }
        }

        return headers;
    }

    /// <summary>Call metadata with the app's APP_API_TOKEN, when it has one.</summary>
    private global::Grpc.Core.Metadata TokenMetadata()
    {
        var metadata = new global::Grpc.Core.Metadata();
        if (!string.IsNullOrEmpty(_sidecar.Options.AppApiToken))
        {
            metadata.Add(AppChannelClient.ApiTokenHeader, _sidecar.Options.AppApiToken);
        }

        return metadata;
    }

    /// <summary>daprd's <c>HTTPStatusFromCode</c>.</summary>
    public static int HttpStatusFromCode(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => StatusCodes.Status408RequestTimeout,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static void CopyHeaders(global::Grpc.Core.Metadata headers, HttpResponseMessage response)
    {
        foreach (var entry in headers)
        {
            if (!entry.IsBinary && !entry.Key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) && !HeadersNotSent.Contains(entry.Key) && entry.Key != "date" && entry.Key != "server")
            {
                response.Headers.TryAddWithoutValidation(entry.Key, entry.Value);
            }
        }
    }
}
