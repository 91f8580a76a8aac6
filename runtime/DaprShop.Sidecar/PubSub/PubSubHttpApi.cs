using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The publish API over HTTP: <c>POST|PUT /v1.0/publish/{pubsubname}/{topic}</c> with the data as
/// the body, its <c>Content-Type</c>, and <c>metadata.{key}</c> query parameters
/// (<c>metadata.rawPayload=true</c> publishes the body unwrapped). Answers 204. Bulk publishing,
/// <c>POST|PUT /v1.0-alpha1/publish/bulk/{pubsubname}/{topic}</c> (and <c>/v1.0/</c>), takes a JSON array of
/// <c>{entryId, event, contentType, metadata}</c> and answers 204 when every entry was published, else 500 with
/// <c>{"failedEntries":[{"entryId","error"}],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}</c>, as daprd 1.18 does.
/// </summary>
public static class PubSubHttpApi
{
    public static IEndpointRouteBuilder MapPubSubApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/v1.0/publish/{pubsubname}/{**topic}", [HttpMethods.Post, HttpMethods.Put], PublishAsync)
            .AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync)
            .WithDisplayName("PublishEvent");
        foreach (var version in (string[])["v1.0-alpha1", "v1.0"])
        {
            endpoints.MapMethods($"/{version}/publish/bulk/{{pubsubname}}/{{**topic}}", [HttpMethods.Post, HttpMethods.Put], BulkPublishAsync)
                .AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync)
                .WithDisplayName("BulkPublishEvent");
        }

        return endpoints;
    }

    public static async Task<IResult> PublishAsync(string pubsubname, string? topic, HttpContext http, PubSubPublisher publisher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(publisher);
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, cancellationToken);

        var parent = TraceContext.Parse(
            http.Request.Headers[TraceContext.TraceParentHeader].ToString(),
            http.Request.Headers[TraceContext.TraceStateHeader].ToString());
        var (activity, trace) = TraceContext.StartSpan($"PublishEvent/{pubsubname}/{topic}", ActivityKind.Producer, parent);
        using (activity)
        {
            activity?.SetTag("messaging.system", "pubsub");
            activity?.SetTag("messaging.destination.name", topic);
            await publisher.PublishAsync(
                new PublishRequest(
                    pubsubname,
                    topic ?? string.Empty,
                    body.GetBuffer().AsMemory(0, (int)body.Length),
                    http.Request.ContentType,
                    RequestMetadata.FromQuery(http.Request),
                    trace),
                cancellationToken);
        }

        return Results.NoContent();
    }

    public static async Task<IResult> BulkPublishAsync(string pubsubname, string? topic, HttpContext http, PubSubPublisher publisher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(publisher);

        // daprd checks the pub/sub before it reads the entries.
        publisher.Resolve(pubsubname);
        List<BulkEntryBody>? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<List<BulkEntryBody>>(http.Request.Body, BulkJson, cancellationToken);
        }
        catch (JsonException e)
        {
            throw PubSubErrors.UnmarshalEvents(pubsubname, topic ?? string.Empty, e.Message);
        }

        var entries = new List<BulkPublishEntry>(body?.Count ?? 0);
        foreach (var entry in body ?? [])
        {
            if (!TryEventBytes(entry.Event, entry.ContentType, out var bytes, out var problem))
            {
                throw PubSubErrors.MarshalEnvelope(pubsubname, topic ?? string.Empty, problem);
            }

            entries.Add(new BulkPublishEntry(entry.EntryId ?? string.Empty, bytes, entry.ContentType, entry.Metadata));
        }

        var parent = TraceContext.Parse(
            http.Request.Headers[TraceContext.TraceParentHeader].ToString(),
            http.Request.Headers[TraceContext.TraceStateHeader].ToString());
        var result = await publisher.BulkPublishAsync(
            new BulkPublishRequest(pubsubname, topic ?? string.Empty, entries, RequestMetadata.FromQuery(http.Request), parent),
            cancellationToken);
        if (result.Error is not { } error)
        {
            return Results.NoContent();
        }

        // daprd answers the failed entries, the error code, and both again as response metadata headers.
        var answer = new BulkPublishAnswer([.. result.Failed.Select(f => new BulkFailedEntry(f.EntryId, f.Error))], error.ErrorCode);
        var data = JsonSerializer.Serialize(answer, BulkJson);
        RequestMetadata.ToHeaders(http.Response, [new("responseData", data), new("error", error.Message)]);
        return Results.Text(data, "application/json", statusCode: error.HttpStatus);
    }

    /// <summary>
    /// An entry's event as the bytes daprd publishes (its <c>ConvertEventToBytes</c>): for <c>application/octet-stream</c>
    /// a base64 string decoded, for <c>text/*</c> and <c>application/xml</c> a string's text, for JSON and CloudEvent
    /// content types the JSON itself; anything else, or an event of the wrong kind, is refused.
    /// </summary>
    private static bool TryEventBytes(JsonElement? value, string? contentType, out byte[] bytes, out string problem)
    {
        const string Mismatch = "error: mismatch between contentType and event";
        bytes = [];
        problem = Mismatch;
        var type = (contentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
        if (type == CloudEvents.OctetStreamContentType)
        {
            if (value is not { ValueKind: JsonValueKind.String } text)
            {
                return false;
            }

            try
            {
                bytes = Convert.FromBase64String(text.GetString()!);
                return true;
            }
            catch (FormatException e)
            {
                problem = $"error: unable to decode base64 application/octect-stream data: {e.Message}";
                return false;
            }
        }

        if (type.StartsWith("text/", StringComparison.Ordinal) || type == "application/xml")
        {
            if (value is not { ValueKind: JsonValueKind.String } text)
            {
                return false;
            }

            bytes = System.Text.Encoding.UTF8.GetBytes(text.GetString()!);
            return true;
        }

        if (type is CloudEvents.JsonContentType or CloudEvents.ContentType)
        {
            // Go re-marshals the decoded value: compact, object keys in sorted order.
            bytes = JsonSerializer.SerializeToUtf8Bytes(Sorted(value is { } json ? JsonNode.Parse(json.GetRawText()) : null), BulkJson);
            return true;
        }

        return false;
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value?.DeepClone())))),
        JsonArray array => new JsonArray([.. array.Select(item => Sorted(item?.DeepClone()))]),
        _ => node?.DeepClone(),
    };

    private static readonly JsonSerializerOptions BulkJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record BulkEntryBody(
        [property: JsonPropertyName("entryId")] string? EntryId,
        [property: JsonPropertyName("event")] JsonElement? Event,
        [property: JsonPropertyName("contentType")] string? ContentType,
        [property: JsonPropertyName("metadata")] Dictionary<string, string>? Metadata);

    private sealed record BulkFailedEntry(
        [property: JsonPropertyName("entryId")] string EntryId,
        [property: JsonPropertyName("error")] string Error);

    private sealed record BulkPublishAnswer(
        [property: JsonPropertyName("failedEntries")] IReadOnlyList<BulkFailedEntry> FailedEntries,
        [property: JsonPropertyName("errorCode")] string ErrorCode);
}
