using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.AppCallback.Autogen.Grpc.v1;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Http;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>One entry of a bulk on its way to the app: the CloudEvent (null for a raw payload) and the entry's content type.</summary>
public sealed record BulkEntryToDeliver(BulkMessageEntry Entry, JsonObject? CloudEvent, string ContentType);

/// <summary>The entries of a bulk that go to one route of the app.</summary>
public sealed record BulkSubscribedEvents(
    string PubsubName,
    string Topic,
    string Path,
    bool RawPayload,
    IReadOnlyList<BulkEntryToDeliver> Entries,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// How one bulk delivery ended: a result per entry id (<see cref="DeliveryStatus.Drop"/> only for an entry the app answered
/// <c>DROP</c>, which goes to the dead-letter topic) and the outcome for the inbound policy (a retry when any entry needs one).
/// </summary>
public sealed record BulkDeliveryResult(IReadOnlyDictionary<string, DeliveryResult> Entries, DeliveryResult Outcome);

/// <summary>
/// Delivers bulks of events to the app as daprd's postmen do (dapr/dapr <c>pkg/runtime/subscription/postman/http</c>
/// and <c>grpc</c>, <c>DeliverBulk</c>). Over HTTP: <c>POST /{route}</c>, <c>Content-Type: application/json</c>, the bulk's
/// metadata as headers, and the envelope <c>{"entries":[{"entryId","event","metadata","contentType"}],"id","metadata",
/// "pubsubname","topic","type":"com.dapr.event.sent.bulk"}</c>, where <c>event</c> is the CloudEvent, or a raw payload's
/// bytes in base64. A 2xx answer is read as <c>{"statuses":[{"entryId","status"}]}</c>: <c>SUCCESS</c> delivers,
/// <c>DROP</c> drops, and <c>RETRY</c>, an empty or unknown status or no status for an entry retries it; an answer that
/// does not parse retries them all. 404 drops them all (without the dead-letter topic); any other status, or no answer,
/// retries them all. Over gRPC: <c>AppCallback.OnBulkTopicEvent</c> (falling back to <c>OnBulkTopicEventAlpha1</c>),
/// with the same reading of its statuses; Unimplemented drops them all, any other error retries them all.
/// </summary>
public sealed class BulkAppDelivery(SidecarContext sidecar, AppCallbackInvoker appCallback, ILoggerFactory loggerFactory)
{
    public const string BulkEventType = "com.dapr.event.sent.bulk";

    private readonly ILogger _logger = loggerFactory.CreateLogger<BulkAppDelivery>();

    public async Task<BulkDeliveryResult> DeliverAsync(BulkSubscribedEvents bulk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bulk);
        var app = sidecar.App;
        if (app.BaseAddress is null)
        {
            return All(bulk, new DeliveryResult(DeliveryStatus.Retry, null, "error from app channel while sending pub/sub event to app: app channel is not initialized"));
        }

        var spans = StartSpans(bulk);
        try
        {
            var trace = spans.Count > 0 ? spans[^1].Context : (TraceContext?)null;
            var result = sidecar.Options.AppServesGrpc
                ? await DeliverOverGrpcAsync(bulk, trace, cancellationToken)
                : await DeliverOverHttpAsync(bulk, app, trace, cancellationToken);
            foreach (var (activity, _) in spans)
            {
                if (result.Outcome.Status != DeliveryStatus.Success)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, result.Outcome.Reason);
                }
            }

            return result;
        }
        finally
        {
            foreach (var (activity, _) in spans)
            {
                activity?.Dispose();
            }
        }
    }

    private async Task<BulkDeliveryResult> DeliverOverHttpAsync(BulkSubscribedEvents bulk, AppChannelClient app, TraceContext? trace, CancellationToken cancellationToken)
    {
        var path = bulk.Path.StartsWith('/') ? bulk.Path : "/" + bulk.Path;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.BaseAddress!.GetLeftPart(UriPartial.Authority) + path));
        request.Content = new ByteArrayContent(Envelope(bulk));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvents.JsonContentType);
        foreach (var (key, value) in bulk.Metadata)
        {
            if (!string.Equals(key, "content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }
        }

        if (trace is { } context)
        {
            request.Headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, context.TraceParent);
            if (!string.IsNullOrEmpty(context.TraceState))
            {
                request.Headers.TryAddWithoutValidation(TraceContext.TraceStateHeader, context.TraceState);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await app.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return All(bulk, new DeliveryResult(DeliveryStatus.Retry, null, $"error from app channel while sending pub/sub event to app: {e.Message}"));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                List<(string EntryId, string Status)> statuses;
                try
                {
                    statuses = ReadStatuses(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                }
                catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
                {
                    return All(bulk, new DeliveryResult(DeliveryStatus.Retry, status, $"failed unmarshalling app response for bulk subscribe: {e.Message}"));
                }

                return ReadEntryStatuses(bulk, statuses.Select(s => (s.EntryId, s.Status switch
                {
                    "SUCCESS" => new DeliveryResult(DeliveryStatus.Success, status, "delivered"),
                    "DROP" => new DeliveryResult(DeliveryStatus.Drop, status, $"DROP status returned from app while processing pub/sub event {s.EntryId}"),
                    "" or "RETRY" => new DeliveryResult(DeliveryStatus.Retry, status, $"RETRY required while processing bulk subscribe event for entry id: {s.EntryId}"),
                    _ => new DeliveryResult(DeliveryStatus.Retry, status, $"unknown status returned from app while processing bulk subscribe event {s.EntryId}: {s.Status}"),
                })));
            }

            if (status == 404)
            {
                _logger.LogError("Non-retriable error returned from app while processing bulk pub/sub event. status code returned: {StatusCode}", status);
                return All(bulk, DeliveryResult.Delivered with { StatusCode = status });
            }

            var reason = $"Retriable error returned from app while processing bulk pub/sub event, topic: {bulk.Topic}. status code returned: {status}";
            _logger.LogWarning("{Reason}", reason);
            return All(bulk, new DeliveryResult(DeliveryStatus.Retry, null, reason));
        }
    }

    private async Task<BulkDeliveryResult> DeliverOverGrpcAsync(BulkSubscribedEvents bulk, TraceContext? trace, CancellationToken cancellationToken)
    {
        var request = new TopicEventBulkRequest
        {
            Id = Guid.NewGuid().ToString(),
            Topic = bulk.Topic,
            PubsubName = bulk.PubsubName,
            Type = BulkEventType,
            Path = bulk.Path,
        };
        request.Metadata.Add(bulk.Metadata.ToDictionary());
        var failed = new Dictionary<string, DeliveryResult>(StringComparer.Ordinal);
        foreach (var entry in bulk.Entries)
        {
            if (GrpcEntry(bulk.RawPayload, entry, out var problem) is { } item)
            {
                request.Entries.Add(item);
            }
            else
            {
                // daprd leaves the entry's slot empty, which goes to the app as an entry with no id and no event.
                request.Entries.Add(new TopicEventBulkRequestEntry());
                failed[entry.Entry.EntryId] = new DeliveryResult(DeliveryStatus.Retry, null, problem!);
            }
        }

        TopicEventBulkResponse answer;
        try
        {
            answer = await appCallback.OnBulkTopicEventAsync(request, bulk.Metadata, trace, cancellationToken);
        }
        catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.Unimplemented)
        {
            _logger.LogWarning("non-retriable error returned from app while processing bulk pub/sub event: {Detail}", e.Status.Detail);
            return All(bulk, DeliveryResult.Delivered with { StatusCode = (int)e.StatusCode });
        }
        catch (global::Grpc.Core.RpcException e) when (e.StatusCode != global::Grpc.Core.StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            return All(bulk, new DeliveryResult(DeliveryStatus.Retry, (int)e.StatusCode, $"error returned from app while processing bulk pub/sub event: {e.Status.Detail}"));
        }

        var answered = answer.Statuses.Select(s => (s.EntryId, s.Status switch
        {
            TopicEventResponse.Types.TopicEventResponseStatus.Success => DeliveryResult.Delivered,
            TopicEventResponse.Types.TopicEventResponseStatus.Drop => new DeliveryResult(DeliveryStatus.Drop, null, $"DROP status returned from app while processing pub/sub event for entry id: {s.EntryId}"),
            TopicEventResponse.Types.TopicEventResponseStatus.Retry => new DeliveryResult(DeliveryStatus.Retry, null, $"RETRY status returned from app while processing pub/sub event for entry id: {s.EntryId}"),
            _ => new DeliveryResult(DeliveryStatus.Retry, null, $"unknown status returned from app while processing pub/sub event for entry id {s.EntryId}: {s.Status}"),
        }));
        return ReadEntryStatuses(bulk, answered.Concat(failed.Select(f => (f.Key, f.Value))));
    }

    /// <summary>
    /// A gRPC entry: a raw payload's bytes, or the CloudEvent's fields with its <c>data</c> read by its content type
    /// (daprd's bulk delivery does not read <c>data_base64</c>) and its other fields as extensions.
    /// </summary>
    private static TopicEventBulkRequestEntry? GrpcEntry(bool rawPayload, BulkEntryToDeliver entry, out string? problem)
    {
        problem = null;
        var message = entry.Entry.Message;
        var item = new TopicEventBulkRequestEntry
        {
            EntryId = entry.Entry.EntryId,
            ContentType = message.ContentType ?? string.Empty,
        };
        item.Metadata.Add(message.Metadata.ToDictionary());
        if (rawPayload || entry.CloudEvent is null)
        {
            item.Bytes = ByteString.CopyFrom(message.Data.Span);
            return item;
        }

        var cloudEvent = entry.CloudEvent;
        var dataContentType = CloudEvents.GetString(cloudEvent, CloudEvents.DataContentTypeField) ?? string.Empty;
        if (!AppCallbackInvoker.TryReadData(cloudEvent, dataContentType, readBase64: false, out var data, out problem))
        {
            return null;
        }

        item.CloudEvent = new TopicEventCERequest
        {
            Id = CloudEvents.GetString(cloudEvent, CloudEvents.IdField) ?? string.Empty,
            Source = CloudEvents.GetString(cloudEvent, CloudEvents.SourceField) ?? string.Empty,
            Type = CloudEvents.GetString(cloudEvent, CloudEvents.TypeField) ?? string.Empty,
            SpecVersion = CloudEvents.GetString(cloudEvent, CloudEvents.SpecVersionField) ?? string.Empty,
            DataContentType = dataContentType,
            Data = data,
            Extensions = AppCallbackInvoker.Extensions(cloudEvent),
        };
        return item;
    }

    /// <summary>The app's statuses for the entries it knows; entries it left out are retried.</summary>
    private BulkDeliveryResult ReadEntryStatuses(BulkSubscribedEvents bulk, IEnumerable<(string EntryId, DeliveryResult Result)> answered)
    {
        var ids = bulk.Entries.Select(e => e.Entry.EntryId).ToHashSet(StringComparer.Ordinal);
        var results = new Dictionary<string, DeliveryResult>(StringComparer.Ordinal);
        foreach (var (entryId, result) in answered)
        {
            if (!ids.Contains(entryId))
            {
                _logger.LogWarning("Invalid entry id received from app while processing pub/sub event {EntryId}", entryId);
                continue;
            }

            results[entryId] = result;
            if (result.Status == DeliveryStatus.Drop)
            {
                _logger.LogWarning("{Reason}", result.Reason);
            }
        }

        foreach (var id in ids)
        {
            results.TryAdd(id, new DeliveryResult(DeliveryStatus.Retry, null, $"response not received, RETRY required while processing bulk subscribe event for entry id: {id}"));
        }

        var retries = results.Values.Where(r => r.Status == DeliveryStatus.Retry).ToList();
        var outcome = retries.Count == 0
            ? DeliveryResult.Delivered
            : new DeliveryResult(DeliveryStatus.Retry, retries.Count == results.Count ? retries[0].StatusCode : null, "few message(s) have failed during bulk subscribe operation");
        return new BulkDeliveryResult(results, outcome);
    }

    private static BulkDeliveryResult All(BulkSubscribedEvents bulk, DeliveryResult result) =>
        new(bulk.Entries.ToDictionary(e => e.Entry.EntryId, _ => result, StringComparer.Ordinal), result);

    /// <summary>A consumer span for each CloudEvent entry, in its event's trace, as daprd starts one per entry.</summary>
    private static List<(Activity? Activity, TraceContext Context)> StartSpans(BulkSubscribedEvents bulk)
    {
        var spans = new List<(Activity?, TraceContext)>();
        foreach (var entry in bulk.Entries)
        {
            if (entry.CloudEvent is not { } cloudEvent)
            {
                continue;
            }

            var traceParent = CloudEvents.GetString(cloudEvent, CloudEvents.TraceParentField) ?? CloudEvents.GetString(cloudEvent, CloudEvents.TraceIdField);
            if (traceParent is not null)
            {
                spans.Add(TraceContext.StartSpan($"pubsub/{bulk.Topic}", ActivityKind.Consumer, TraceContext.Parse(traceParent, CloudEvents.GetString(cloudEvent, CloudEvents.TraceStateField))));
            }
        }

        return spans;
    }

    /// <summary>The HTTP envelope, as daprd marshals it (<see cref="GoJson"/>): keys sorted, each event as Go writes the map it decoded.</summary>
    private static byte[] Envelope(BulkSubscribedEvents bulk)
    {
        var json = new StringBuilder("{\"entries\":[");
        for (var i = 0; i < bulk.Entries.Count; i++)
        {
            var entry = bulk.Entries[i];
            json.Append(i == 0 ? "{\"entryId\":" : ",{\"entryId\":");
            GoJson.WriteString(json, entry.Entry.EntryId);
            json.Append(",\"event\":");
            if (bulk.RawPayload || entry.CloudEvent is null)
            {
                GoJson.WriteString(json, Convert.ToBase64String(entry.Entry.Message.Data.Span));
            }
            else
            {
                GoJson.Write(json, entry.CloudEvent);
            }

            json.Append(",\"metadata\":");
            WriteMap(json, entry.Entry.Message.Metadata);
            if (entry.ContentType.Length > 0)
            {
                json.Append(",\"contentType\":");
                GoJson.WriteString(json, entry.ContentType);
            }

            json.Append('}');
        }

        json.Append("],\"id\":");
        GoJson.WriteString(json, Guid.NewGuid().ToString());
        json.Append(",\"metadata\":");
        WriteMap(json, bulk.Metadata);
        json.Append(",\"pubsubname\":");
        GoJson.WriteString(json, bulk.PubsubName);
        json.Append(",\"topic\":");
        GoJson.WriteString(json, bulk.Topic);
        json.Append(",\"type\":");
        GoJson.WriteString(json, BulkEventType);
        json.Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static void WriteMap(StringBuilder json, IReadOnlyDictionary<string, string> map)
    {
        json.Append('{');
        var first = true;
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.Append(first ? string.Empty : ",");
            first = false;
            GoJson.WriteString(json, key);
            json.Append(':');
            GoJson.WriteString(json, value);
        }

        json.Append('}');
    }

    /// <summary>The app's <c>statuses</c>, names in any case as Go's decoder matches them.</summary>
    /// <exception cref="JsonException">The body is not a JSON object with such a list.</exception>
    private static List<(string EntryId, string Status)> ReadStatuses(byte[] body)
    {
        // Go's json.Decoder reads the first value and leaves whatever follows it.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowMultipleValues = true });
        using var json = JsonDocument.ParseValue(ref reader);
        var statuses = new List<(string, string)>();
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"cannot unmarshal {json.RootElement.ValueKind.ToString().ToLowerInvariant()} into an app bulk response");
        }

        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (!string.Equals(property.Name, "statuses", StringComparison.OrdinalIgnoreCase) || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("statuses: cannot unmarshal into a list");
            }

            foreach (var item in property.Value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException("statuses: cannot unmarshal an item into an entry status");
                }

                string entryId = string.Empty, status = string.Empty;
                foreach (var field in item.EnumerateObject())
                {
                    if (string.Equals(field.Name, "entryId", StringComparison.OrdinalIgnoreCase))
                    {
                        entryId = Text(field.Value, "entryId");
                    }
                    else if (string.Equals(field.Name, "status", StringComparison.OrdinalIgnoreCase))
                    {
                        status = Text(field.Value, "status");
                    }
                }

                statuses.Add((entryId, status));
            }
        }

        return statuses;
    }

    private static string Text(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => throw new JsonException($"{name}: cannot unmarshal {value.ValueKind.ToString().ToLowerInvariant()} into a string"),
    };
}
