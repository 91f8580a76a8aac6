using System.Text.Json;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.State;

/// <summary>
/// The state API over HTTP, as daprd's <c>pkg/api/http/http.go</c> serves it:
/// <c>GET /v1.0/state/{store}/{key}</c> (204 when absent; <c>ETag</c> header),
/// <c>POST|PUT /v1.0/state/{store}</c> (a JSON array of <c>{key, value, etag, metadata, options}</c>),
/// <c>DELETE /v1.0/state/{store}/{key}</c> (<c>If-Match</c> for the ETag),
/// <c>POST|PUT /v1.0/state/{store}/bulk</c> and <c>POST|PUT /v1.0/state/{store}/transaction</c>.
/// Query parameters <c>metadata.{key}</c> become request metadata. A saved value is stored as the
/// JSON of <c>value</c>, so it reads back the same over gRPC, where the SDK writes JSON bytes.
/// </summary>
public static class StateHttpApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapStateApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1.0/state/{storeName}").AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync);
        group.MapGet("/{key}", GetStateAsync);
        group.MapMethods("/", [HttpMethods.Post, HttpMethods.Put], SaveStateAsync);
        group.MapDelete("/{key}", DeleteStateAsync);
        group.MapMethods("/bulk", [HttpMethods.Post, HttpMethods.Put], GetBulkStateAsync);
        group.MapMethods("/transaction", [HttpMethods.Post, HttpMethods.Put], ExecuteTransactionAsync);
        return endpoints;
    }

    public static async Task<IResult> GetStateAsync(string storeName, string key, HttpContext http, StateService state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(state);
        var entry = await state.GetAsync(storeName, key, cancellationToken);
        if (entry is null)
        {
            return Results.NoContent();
        }

        http.Response.Headers.ETag = entry.ETag;
        RequestMetadata.ToHeaders(http.Response, StateService.ResponseMetadata(entry));
        return Results.Bytes(entry.Value, "application/json");
    }

    public static async Task<IResult> SaveStateAsync(string storeName, HttpRequest request, StateService state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        state.GetStore(storeName);
        List<StateItemBody>? items;
        try
        {
            items = await JsonSerializer.DeserializeAsync<List<StateItemBody>>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Malformed(e.Message);
        }

        if (items is null || items.Count == 0)
        {
            return Results.NoContent();
        }

        var query = RequestMetadata.FromQuery(request);
        var writes = new List<StateWrite>(items.Count);
        foreach (var item in items)
        {
            if (string.IsNullOrEmpty(item.Key))
            {
                return Malformed("\"key\" is a required field");
            }

            writes.Add(new StateWrite(
                new StateUpsert(item.Key, JsonBytes(item.Value), item.ETag, ConcurrencyOf(item.Options, e => StateErrors.Save(storeName, e))) { IsJson = true },
                Merge(item.Metadata, query)));
        }

        await state.SaveAsync(storeName, writes, cancellationToken);
        return Results.NoContent();
    }

    public static async Task<IResult> DeleteStateAsync(string storeName, string key, HttpRequest request, StateService state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        state.GetStore(storeName);

        // daprd takes the ETag from If-Match whenever the header is present.
        string? etag = request.Headers.TryGetValue("If-Match", out var ifMatch) ? ifMatch.ToString() : null;
        var concurrency = request.Query["concurrency"].ToString() switch
        {
            "first-write" => StateConcurrency.FirstWrite,
            _ => StateConcurrency.LastWrite,
        };
        await state.DeleteAsync(storeName, new StateWrite(new StateDelete(key, etag, concurrency), RequestMetadata.FromQuery(request)), cancellationToken);
        return Results.NoContent();
    }

    public static async Task<IResult> GetBulkStateAsync(string storeName, HttpRequest request, StateService state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        state.GetStore(storeName);
        BulkGetBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<BulkGetBody>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Malformed($"failed deserializing HTTP body: {e.Message}");
        }

        var entries = await state.BulkGetAsync(storeName, body?.Keys ?? [], cancellationToken);
        var response = entries.Select(e => new BulkGetItem(
            e.Key,
            e.Entry is { } found ? AsJson(found.Value) : null,
            e.Entry?.ETag,
            e.Entry is { } withMetadata && StateService.ResponseMetadata(withMetadata) is { Count: > 0 } metadata ? metadata : null,
            string.IsNullOrEmpty(e.Error) ? null : e.Error));
        return Results.Json(response, DaprJson.Options);
    }

    public static async Task<IResult> ExecuteTransactionAsync(string storeName, HttpRequest request, StateService state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(state);
        state.GetStore(storeName);
        TransactionBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<TransactionBody>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return Malformed($"failed deserializing HTTP body: {e.Message}");
        }

        if (body?.Operations is not { Count: > 0 } operations)
        {
            return Results.NoContent();
        }

        var query = RequestMetadata.FromQuery(request);
        var writes = new List<StateWrite>(operations.Count);
        foreach (var operation in operations)
        {
            var item = operation.Request ?? new StateItemBody();
            var concurrency = ConcurrencyOf(item.Options, StateErrors.Transaction);
            StateOperation op = operation.Operation switch
            {
                "upsert" => new StateUpsert(item.Key ?? string.Empty, JsonBytes(item.Value), item.ETag, concurrency) { IsJson = true },
                "delete" => new StateDelete(item.Key ?? string.Empty, item.ETag, concurrency),
                _ => throw StateErrors.OperationNotSupported(operation.Operation, StatusCodes.Status400BadRequest),
            };
            writes.Add(new StateWrite(op, Merge(item.Metadata, query)));
        }

        await state.ExecuteTransactionAsync(storeName, writes, Merge(body.Metadata, query), cancellationToken);
        return Results.NoContent();
    }

    private static IResult Malformed(string message) =>
        new DaprError("ERR_MALFORMED_REQUEST", message).ToResult(StatusCodes.Status400BadRequest);

    /// <summary>The JSON text of a value as stored; an absent value is <c>null</c>, as Go marshals a nil value.</summary>
    /// <summary>
    /// The value as daprd re-marshals an HTTP body (jsoniter): compact, text as is (no \u escapes of non-ASCII or HTML
    /// characters). Unlike daprd, numbers keep their digits (jsoniter's ConfigFastest writes floats with 6 digits) and
    /// object members their order (Go's map order is random).
    /// </summary>
    private static byte[] JsonBytes(JsonElement value) =>
        value.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value, StoredJson);

    private static readonly JsonSerializerOptions StoredJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Stored bytes as a JSON value: as they are when they hold JSON, else as a JSON string.</summary>
    private static JsonElement AsJson(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(System.Text.Encoding.UTF8.GetString(value.Span));
        }
    }

    private static StateConcurrency ConcurrencyOf(StateOptionsBody? options, Func<Exception, DaprApiException> error) => options?.Concurrency switch
    {
        null or "" or "last-write" => StateConcurrency.LastWrite,
        "first-write" => StateConcurrency.FirstWrite,
        var other => throw error(new FormatException($"unrecognized concurrency model '{other}'")),
    };

    private static Dictionary<string, string> Merge(Dictionary<string, string>? metadata, Dictionary<string, string> query)
    {
        var merged = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            merged[key] = value;
        }

        return merged;
    }

    public sealed class StateItemBody
    {
        public string? Key { get; set; }

        public JsonElement Value { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("etag")]
        public string? ETag { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public StateOptionsBody? Options { get; set; }
    }

    public sealed class StateOptionsBody
    {
        public string? Concurrency { get; set; }

        public string? Consistency { get; set; }
    }

    public sealed class BulkGetBody
    {
        public List<string>? Keys { get; set; }

        public int Parallelism { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }
    }

    public sealed class TransactionBody
    {
        public List<TransactionOperationBody>? Operations { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }
    }

    public sealed class TransactionOperationBody
    {
        public string? Operation { get; set; }

        public StateItemBody? Request { get; set; }
    }

    /// <summary>One item of the bulk response (daprd's <c>BulkGetResponse</c>).</summary>
    public sealed record BulkGetItem(
        [property: System.Text.Json.Serialization.JsonPropertyName("key")] string Key,
        [property: System.Text.Json.Serialization.JsonPropertyName("data")] JsonElement? Data,
        [property: System.Text.Json.Serialization.JsonPropertyName("etag")] string? ETag,
        [property: System.Text.Json.Serialization.JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata,
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error);
}
