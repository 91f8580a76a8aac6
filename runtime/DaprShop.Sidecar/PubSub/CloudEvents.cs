using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprShop.Sidecar.Http;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The CloudEvent envelopes daprd builds around published data (dapr/dapr
/// <c>pkg/runtime/pubsub/cloudevents.go</c>, components-contrib <c>pubsub/envelope.go</c>), and the
/// reading of an envelope on delivery.
/// </summary>
public static class CloudEvents
{
    public const string ContentType = "application/cloudevents+json";
    public const string JsonContentType = "application/json";
    public const string OctetStreamContentType = "application/octet-stream";
    public const string DefaultType = "com.dapr.event.sent";
    public const string DefaultSource = "Dapr";
    public const string SpecVersion = "1.0";
    public const string DefaultDataContentType = "text/plain";

    public const string IdField = "id";
    public const string SourceField = "source";
    public const string TypeField = "type";
    public const string SpecVersionField = "specversion";
    public const string DataContentTypeField = "datacontenttype";
    public const string DataField = "data";
    public const string DataBase64Field = "data_base64";
    public const string TopicField = "topic";
    public const string PubsubNameField = "pubsubname";
    public const string TraceIdField = "traceid";
    public const string TraceParentField = "traceparent";
    public const string TraceStateField = "tracestate";
    public const string TimeField = "time";
    public const string ExpirationField = "expiration";

    /// <summary>Publish metadata that gives the event an expiry (<c>ttlInSeconds</c>), which daprd enforces for brokers without their own TTL.</summary>
    public const string TtlMetadataKey = "ttlInSeconds";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The publishing side of an event: what daprd knows when it builds the envelope.</summary>
    public sealed record Publication(
        string SourceAppId,
        string PubsubName,
        string Topic,
        ReadOnlyMemory<byte> Data,
        string? DataContentType,
        TraceContext Trace);

    public static bool IsCloudEventContentType(string? contentType) => IsContentType(contentType, ContentType);

    public static bool IsJsonContentType(string? contentType) => IsContentType(contentType, JsonContentType);

    public static bool IsBinaryContentType(string? contentType) => IsContentType(contentType, OctetStreamContentType);

    /// <summary>
    /// The envelope daprd publishes. Data that already is a CloudEvent (content type
    /// <c>application/cloudevents+json</c>) keeps its fields, except <c>topic</c>,
    /// <c>pubsubname</c> and the trace fields, which daprd overwrites, and gets <c>time</c>,
    /// <c>source</c>, <c>type</c> and <c>specversion</c> when it lacks them. Other data is wrapped:
    /// JSON as <c>data</c> (a string when it does not parse), <c>application/octet-stream</c> as
    /// <c>data_base64</c>, anything else as a string; metadata <c>cloudevent.id</c>,
    /// <c>cloudevent.source</c>, <c>cloudevent.type</c>, <c>cloudevent.traceid</c>,
    /// <c>cloudevent.traceparent</c> and <c>cloudevent.tracestate</c> (any case) override those
    /// fields. <c>ttlInSeconds</c> metadata adds <c>expiration</c>. Keys are written in sorted order,
    /// as Go writes a map.
    /// </summary>
    /// <exception cref="FormatException">The data claims to be a CloudEvent but is not a JSON object.</exception>
    public static byte[] CreateEnvelope(Publication publication, IReadOnlyDictionary<string, string> metadata, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var traceParent = publication.Trace.TraceParent;
        var traceState = publication.Trace.TraceState ?? string.Empty;
        SortedDictionary<string, JsonNode?> envelope;
        if (IsCloudEventContentType(publication.DataContentType))
        {
            envelope = ParseObject(publication.Data.Span) ?? throw new FormatException("the data is not a JSON object");
            envelope.TryAdd(TimeField, FormatTime(now));
            envelope[TraceIdField] = traceParent;
            envelope[TraceParentField] = traceParent;
            envelope[TraceStateField] = traceState;
            envelope[TopicField] = publication.Topic;
            envelope[PubsubNameField] = publication.PubsubName;
            DefaultIfMissing(envelope, SourceField, DefaultSource);
            DefaultIfMissing(envelope, TypeField, DefaultType);
            DefaultIfMissing(envelope, SpecVersionField, SpecVersion);
        }
        else
        {
            var id = Override(metadata, "id");
            var source = Override(metadata, "source") ?? publication.SourceAppId;
            var type = Override(metadata, "type");
            var traceId = Override(metadata, "traceid") ?? traceParent;
            if (Override(metadata, "traceparent") is { Length: > 0 } traceParentOverride)
            {
                traceId = traceParentOverride;
            }

            traceState = Override(metadata, "tracestate") ?? traceState;
            var contentType = string.IsNullOrEmpty(publication.DataContentType) ? DefaultDataContentType : publication.DataContentType;
            envelope = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
            {
                [IdField] = string.IsNullOrEmpty(id) ? Guid.NewGuid().ToString() : id,
                [SpecVersionField] = SpecVersion,
                [DataContentTypeField] = contentType,
                [SourceField] = string.IsNullOrEmpty(source) ? DefaultSource : source,
                [TypeField] = string.IsNullOrEmpty(type) ? DefaultType : type,
                [TopicField] = publication.Topic,
                [PubsubNameField] = publication.PubsubName,
                [TraceIdField] = traceId,
                [TraceParentField] = traceId,
                [TraceStateField] = traceState,
                [TimeField] = FormatTime(now),
            };
            if (IsJsonContentType(contentType))
            {
                envelope[DataField] = TryParseJson(publication.Data.Span, out var json) ? json : Encoding.UTF8.GetString(publication.Data.Span);
            }
            else if (IsBinaryContentType(contentType))
            {
                envelope[DataBase64Field] = Convert.ToBase64String(publication.Data.Span);
            }
            else
            {
                envelope[DataField] = Encoding.UTF8.GetString(publication.Data.Span);
            }
        }

        if (metadata.TryGetValue(TtlMetadataKey, out var ttlText)
            && long.TryParse(ttlText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ttlSeconds)
            && ttlSeconds >= 0)
        {
            envelope[ExpirationField] = FormatTime(now.AddSeconds(Math.Min(ttlSeconds, (long)TimeSpan.FromDays(365 * 100).TotalSeconds)));
        }

        return Serialize(envelope);
    }

    /// <summary>
    /// The CloudEvent daprd makes on the subscriber side for a subscription with
    /// <c>rawPayload: true</c>: the bytes as <c>data_base64</c>, a new id, source <c>Dapr</c>.
    /// </summary>
    public static JsonObject FromRawPayload(ReadOnlySpan<byte> data, string topic, string pubsubName) => new()
    {
        [IdField] = Guid.NewGuid().ToString(),
        [SpecVersionField] = SpecVersion,
        [DataContentTypeField] = OctetStreamContentType,
        [SourceField] = DefaultSource,
        [TypeField] = DefaultType,
        [TopicField] = topic,
        [PubsubNameField] = pubsubName,
        [DataBase64Field] = Convert.ToBase64String(data),
    };

    /// <summary>Reads a delivered envelope; null when it is not a JSON object.</summary>
    public static JsonObject? Read(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonNode.Parse(data) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether an envelope's <c>expiration</c> (RFC 3339) has passed.</summary>
    public static bool HasExpired(JsonObject cloudEvent, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(time);
        return cloudEvent[ExpirationField] is JsonValue value
            && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiration)
            && expiration < time.GetUtcNow();
    }

    /// <summary>A string field of an envelope, or null.</summary>
    public static string? GetString(JsonObject cloudEvent, string field)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return cloudEvent[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    public static byte[] Serialize(JsonObject cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var sorted = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in cloudEvent)
        {
            sorted[key] = value?.DeepClone();
        }

        return Serialize(sorted);
    }

    /// <summary>Go's RFC 3339 format: seconds, and <c>Z</c> for UTC.</summary>
    private static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Override(IReadOnlyDictionary<string, string> metadata, string field)
    {
        foreach (var (key, value) in metadata)
        {
            if (key.Length == "cloudevent.".Length + field.Length
                && key.StartsWith("cloudevent.", StringComparison.OrdinalIgnoreCase)
                && key.EndsWith(field, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static void DefaultIfMissing(SortedDictionary<string, JsonNode?> envelope, string field, string value)
    {
        if (!envelope.TryGetValue(field, out var existing) || existing is null)
        {
            envelope[field] = value;
        }
    }

    private static bool TryParseJson(ReadOnlySpan<byte> data, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(data);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    private static SortedDictionary<string, JsonNode?>? ParseObject(ReadOnlySpan<byte> data)
    {
        if (!TryParseJson(data, out var node) || node is not JsonObject json)
        {
            return null;
        }

        var fields = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in json)
        {
            fields[key] = value?.DeepClone();
        }

        return fields;
    }

    private static byte[] Serialize(SortedDictionary<string, JsonNode?> envelope)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in envelope)
            {
                writer.WritePropertyName(key);
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static bool IsContentType(string? contentType, string expected)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var lower = contentType.ToLowerInvariant();
        var semicolon = lower.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? lower[..semicolon] : lower) == expected;
    }
}
