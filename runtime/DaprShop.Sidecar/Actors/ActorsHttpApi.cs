using System.Text.Json;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// The actor API over HTTP, as daprd's <c>pkg/api/http/actors.go</c> serves it under
/// <c>/v1.0/actors/{actorType}/{actorId}</c>: <c>GET|POST|PUT|DELETE method/{method}</c> (from any
/// sidecar: placed on the hosting app and called there with <c>PUT</c>; the app's 200 answer passes
/// back with its headers and body, the .NET SDK's <c>X-DaprErrorResponseHeader</c> included);
/// <c>GET state/{key}</c> (204 when absent); <c>POST|PUT state</c> (a JSON array of
/// <c>{operation: upsert|delete, request: {key, value, etag, metadata}}</c>, applied in one
/// transaction); <c>POST|PUT|GET|DELETE reminders/{name}</c>; <c>POST|PUT|DELETE timers/{name}</c>.
/// </summary>
public static class ActorsHttpApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly HashSet<string> ResponseHeadersNotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "Date", "Server",
    };

    public static IEndpointRouteBuilder MapActorsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1.0/actors/{actorType}/{actorId}").AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync);
        group.MapMethods("/method/{method}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete], InvokeAsync);
        group.MapGet("/state/{key}", GetStateAsync);
        group.MapMethods("/state", [HttpMethods.Post, HttpMethods.Put], ExecuteStateTransactionAsync);
        group.MapMethods("/reminders/{name}", [HttpMethods.Post, HttpMethods.Put], CreateReminderAsync);
        group.MapGet("/reminders/{name}", GetReminderAsync);
        group.MapDelete("/reminders/{name}", DeleteReminderAsync);
        group.MapMethods("/timers/{name}", [HttpMethods.Post, HttpMethods.Put], CreateTimerAsync);
        group.MapDelete("/timers/{name}", DeleteTimerAsync);
        return endpoints;
    }

    public static async Task<IResult> InvokeAsync(string actorType, string actorId, string method, HttpRequest request, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        // Actor calls do not stream: daprd reads the whole body first.
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var trace = TraceContext.Parse(request.Headers[TraceContext.TraceParentHeader].ToString(), request.Headers[TraceContext.TraceStateHeader].ToString());
        // The caller's identity is the sidecar's to state: a caller's own claim to it is dropped, as daprd drops it.
        var headers = request.Headers
            .Where(h => !h.Key.Equals(TraceContext.TraceParentHeader, StringComparison.OrdinalIgnoreCase)
                && !h.Key.Equals(TraceContext.TraceStateHeader, StringComparison.OrdinalIgnoreCase)
                && !h.Key.StartsWith("dapr-caller-", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty)))
            .Concat(ActorTrace.Headers(trace))
            .ToList();
        var call = new ActorAppRequest(method, body.ToArray(), request.ContentType, request.QueryString.Value ?? string.Empty, headers);
        return new AppAnswer(await actors.Placement.InvokeOnOwnerAsync(actorType, actorId, call, actors.Time, cancellationToken));
    }

    public static async Task<IResult> GetStateAsync(string actorType, string actorId, string key, HttpContext http, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        var entry = await actors.GetStateAsync(actorType, actorId, key, cancellationToken);
        if (entry is null || entry.Value.Length == 0)
        {
            return Results.NoContent();
        }

        RequestMetadata.ToHeaders(http.Response, StateService.ResponseMetadata(entry));
        return Results.Bytes(entry.Value, "application/json");
    }

    public static async Task<IResult> ExecuteStateTransactionAsync(string actorType, string actorId, HttpRequest request, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        actors.RequireStateStore();
        List<OperationBody>? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<List<OperationBody>>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw ActorErrors.MalformedRequest(e.Message);
        }

        var operations = new List<ActorStateOperation>(body?.Count ?? 0);
        foreach (var operation in body ?? [])
        {
            // daprd's TransactionalOperation.StateOperation checks, with its messages.
            var item = operation.Request ?? throw ActorErrors.StateTransactionSave("request data is empty");
            if (string.IsNullOrEmpty(operation.Operation))
            {
                throw ActorErrors.StateTransactionSave("operation is empty");
            }

            if (string.IsNullOrEmpty(item.Key))
            {
                throw ActorErrors.StateTransactionSave("missing key");
            }

            var metadata = item.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal);
            operations.Add(operation.Operation switch
            {
                "upsert" => new ActorStateOperation(
                    item.Key,
                    item.Value.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(item.Value),
                    item.ETag,
                    metadata),
                "delete" => new ActorStateOperation(item.Key, null, item.ETag, metadata),
                _ => throw ActorErrors.StateTransactionSave($"operation type {operation.Operation} not supported"),
            });
        }

        await actors.ExecuteStateTransactionAsync(actorType, actorId, operations, cancellationToken);
        return Results.NoContent();
    }

    public static async Task<IResult> CreateReminderAsync(string actorType, string actorId, string name, HttpRequest request, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        var reminders = actors.RemindersFor(actorType, actorId);
        var body = await ReadAsync<ReminderBody>(request, cancellationToken) ?? new ReminderBody();
        await reminders.CreateAsync(actorType, actorId, name, new ReminderRequest(body.DueTime, body.Period, body.Ttl, body.Data, body.Overwrite), cancellationToken);
        return Results.NoContent();
    }

    public static async Task<IResult> GetReminderAsync(string actorType, string actorId, string name, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        var reminder = await actors.RemindersFor(actorType, actorId).GetAsync(actorType, actorId, name, cancellationToken)
            ?? throw ActorErrors.ReminderNotFound(name);

        // daprd 1.18's answer (pkg/api/http/actors.go, onGetActorReminder): ttl is the expiry time.
        return Results.Json(
            new ReminderJson(
                reminder.ActorId,
                reminder.ActorType,
                reminder.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data ? data : null,
                string.IsNullOrEmpty(reminder.DueTime) ? null : reminder.DueTime,
                string.IsNullOrEmpty(reminder.Period) ? null : reminder.Period,
                reminder.Expiration is { } expiration ? ActorTimeFormats.FormatRfc3339Nano(expiration) : null),
            DaprJson.Options);
    }

    public static async Task<IResult> DeleteReminderAsync(string actorType, string actorId, string name, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        await actors.RemindersFor(actorType, actorId).DeleteAsync(actorType, actorId, name, cancellationToken);
        return Results.NoContent();
    }

    public static async Task<IResult> CreateTimerAsync(string actorType, string actorId, string name, HttpRequest request, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        var body = await ReadAsync<TimerBody>(request, cancellationToken) ?? new TimerBody();
        actors.CreateTimer(actorType, actorId, name, new TimerRequest(body.DueTime, body.Period, body.Ttl, body.Callback, body.Data));
        return Results.NoContent();
    }

    public static async Task<IResult> DeleteTimerAsync(string actorType, string actorId, string name, ActorRuntime actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actors);
        await actors.WhenRegisteredAsync(cancellationToken);
        actors.DeleteTimer(actorType, actorId, name);
        return Results.NoContent();
    }

    private static async Task<T?> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw ActorErrors.MalformedRequest(e.Message);
        }
    }

    /// <summary>Writes the app's answer as daprd does: its status, headers, content type and body.</summary>
    private sealed class AppAnswer(ActorAppResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var http = httpContext.Response;
            http.StatusCode = response.StatusCode;
            foreach (var (name, value) in response.Headers.Where(h => !ResponseHeadersNotCopied.Contains(h.Key)))
            {
                http.Headers.Append(name, value);
            }

            if (!string.IsNullOrEmpty(response.ContentType))
            {
                http.ContentType = response.ContentType;
            }

            http.ContentLength = response.Body.Length;
            await http.Body.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }

    public sealed class OperationBody
    {
        public string? Operation { get; set; }

        public OperationRequestBody? Request { get; set; }
    }

    public sealed class OperationRequestBody
    {
        public string? Key { get; set; }

        public JsonElement Value { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("etag")]
        public string? ETag { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }
    }

    public sealed class ReminderBody
    {
        public string? DueTime { get; set; }

        public string? Period { get; set; }

        public string? Ttl { get; set; }

        public JsonElement? Data { get; set; }

        public bool? Overwrite { get; set; }
    }

    public sealed class TimerBody
    {
        public string? DueTime { get; set; }

        public string? Period { get; set; }

        public string? Ttl { get; set; }

        public string? Callback { get; set; }

        public JsonElement? Data { get; set; }
    }

    /// <summary>daprd 1.18's reminder JSON (<c>actorID</c>, <c>actorType</c>, <c>data</c>, <c>dueTime</c>, <c>period</c>, <c>ttl</c>).</summary>
    public sealed record ReminderJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("actorID")] string ActorId,
        [property: System.Text.Json.Serialization.JsonPropertyName("actorType")] string ActorType,
        [property: System.Text.Json.Serialization.JsonPropertyName("data")] JsonElement? Data,
        [property: System.Text.Json.Serialization.JsonPropertyName("dueTime")] string? DueTime,
        [property: System.Text.Json.Serialization.JsonPropertyName("period")] string? Period,
        [property: System.Text.Json.Serialization.JsonPropertyName("ttl")] string? Ttl);
}
