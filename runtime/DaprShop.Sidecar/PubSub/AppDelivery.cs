using System.Net.Http.Headers;
using System.Text.Json;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Http;

namespace DaprShop.Sidecar.PubSub;

/// <summary>One event ready for the app: its envelope bytes, the parsed envelope, the route and the headers daprd adds.</summary>
public sealed record SubscribedEvent(
    string PubsubName,
    string Topic,
    ReadOnlyMemory<byte> Data,
    System.Text.Json.Nodes.JsonObject CloudEvent,
    string Path,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Posts events to the app as daprd's HTTP postman does (dapr/dapr
/// <c>pkg/runtime/subscription/postman/http/http.go</c>): <c>POST /{route}</c> with the envelope,
/// <c>Content-Type: application/cloudevents+json</c>, the subscription's metadata and
/// <c>pubsubName</c> as headers, a <c>traceparent</c> in the event's trace, and the app token.
/// The answer is read as in daprd: any 2xx succeeds unless its JSON body says
/// <c>{"status":"RETRY"}</c> (or an unknown status: retry) or <c>{"status":"DROP"}</c>; 404 drops;
/// any other status, or no answer, retries. An app served over gRPC gets the event on <c>AppCallback.OnTopicEvent</c>
/// instead (<see cref="AppCallbackInvoker.OnTopicEventAsync"/>).
/// </summary>
public sealed class AppDelivery(SidecarContext sidecar, AppCallbackInvoker appCallback)
{
    public const string PubsubNameMetadataKey = "pubsubName";

    public async Task<DeliveryResult> DeliverAsync(SubscribedEvent subscribedEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscribedEvent);
        var app = sidecar.App;
        if (app.BaseAddress is null)
        {
            return new DeliveryResult(DeliveryStatus.Retry, null, "error returned from app channel while sending pub/sub event to app: app channel is not initialized");
        }

        if (sidecar.Options.AppServesGrpc)
        {
            return await DeliverOverGrpcAsync(subscribedEvent, cancellationToken);
        }

        var path = subscribedEvent.Path.StartsWith('/') ? subscribedEvent.Path : "/" + subscribedEvent.Path;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.BaseAddress.GetLeftPart(UriPartial.Authority) + path));
        request.Content = new ReadOnlyMemoryContent(subscribedEvent.Data);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEvents.ContentType);
        foreach (var (key, value) in subscribedEvent.Metadata)
        {
            if (!string.Equals(key, "content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }
        }

        var eventTrace = TraceContext.Parse(
            CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceParentField) ?? CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceIdField),
            CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceStateField));
        var (activity, trace) = TraceContext.StartSpan($"pubsub/{subscribedEvent.Topic}", System.Diagnostics.ActivityKind.Consumer, eventTrace);
        using (activity)
        {
            request.Headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, trace.TraceParent);
            if (!string.IsNullOrEmpty(trace.TraceState))
            {
                request.Headers.TryAddWithoutValidation(TraceContext.TraceStateHeader, trace.TraceState);
            }

            var eventId = CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.IdField);
            HttpResponseMessage response;
            try
            {
                response = await app.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                return new DeliveryResult(DeliveryStatus.Retry, null, $"error returned from app channel while sending pub/sub event to app: {e.Message}");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                activity?.SetTag("http.response.status_code", status);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (status is >= 200 and <= 299)
                {
                    return ReadAppStatus(body, status, eventId);
                }

                var text = System.Text.Encoding.UTF8.GetString(body);
                return status == 404
                    ? new DeliveryResult(DeliveryStatus.Drop, status, $"non-retriable error returned from app while processing pub/sub event {eventId}: {text}. status code returned: {status}")
                    : new DeliveryResult(DeliveryStatus.Retry, status, $"retriable error returned from app while processing pub/sub event {eventId}, topic: {subscribedEvent.Topic}, body: {text}. status code returned: {status}");
            }
        }
    }

    private async Task<DeliveryResult> DeliverOverGrpcAsync(SubscribedEvent subscribedEvent, CancellationToken cancellationToken)
    {
        var eventTrace = TraceContext.Parse(
            CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceParentField) ?? CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceIdField),
            CloudEvents.GetString(subscribedEvent.CloudEvent, CloudEvents.TraceStateField));
        var (activity, trace) = TraceContext.StartSpan($"pubsub/{subscribedEvent.Topic}", System.Diagnostics.ActivityKind.Consumer, eventTrace);
        using (activity)
        {
            var result = await appCallback.OnTopicEventAsync(subscribedEvent, trace, cancellationToken);
            if (result.Status != DeliveryStatus.Success)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Reason);
            }

            return result;
        }
    }

    private static DeliveryResult ReadAppStatus(byte[] body, int status, string? eventId)
    {
        string? appStatus;
        try
        {
            using var json = JsonDocument.Parse(body);
            appStatus = json.RootElement.ValueKind == JsonValueKind.Object
                && TryGetStatus(json.RootElement, out var value)
                    ? value
                    : string.Empty;
        }
        catch (JsonException)
        {
            // An empty or unparsable body: daprd skips the status check and counts it a success.
            return DeliveryResult.Delivered with { StatusCode = status };
        }

        return appStatus switch
        {
            "" or "SUCCESS" => DeliveryResult.Delivered with { StatusCode = status },
            "RETRY" => new DeliveryResult(DeliveryStatus.Retry, status, $"RETRY status returned from app while processing pub/sub event {eventId}"),
            "DROP" => new DeliveryResult(DeliveryStatus.Drop, status, $"DROP status returned from app while processing pub/sub event {eventId}"),
            _ => new DeliveryResult(DeliveryStatus.Retry, status, $"unknown status returned from app while processing pub/sub event {eventId}, status: {appStatus}"),
        };
    }

    /// <summary>The <c>status</c> property, its name in any case as Go's decoder matches it.</summary>
    private static bool TryGetStatus(JsonElement root, out string value)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, "status", StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? string.Empty : string.Empty;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }
}
