using System.Text.Json;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Bindings;

/// <summary>
/// The output bindings API over HTTP, as daprd's <c>onOutputBindingMessage</c> serves it:
/// <c>POST|PUT /v1.0/bindings/{name}</c> with <c>{data, metadata, operation}</c>. The binding gets
/// the JSON of <c>data</c> (a JSON string arrives quoted); its response data comes back as the body
/// (204 when it has none) and its response metadata as <c>metadata.{key}</c> headers.
/// </summary>
public static class BindingsHttpApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapBindingsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/v1.0/bindings/{name}", [HttpMethods.Post, HttpMethods.Put], InvokeBindingAsync)
            .AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync);
        return endpoints;
    }

    public static async Task<IResult> InvokeBindingAsync(string name, HttpContext http, BindingService bindings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(bindings);
        BindingBody? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<BindingBody>(http.Request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return new DaprError("ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {e.Message}").ToResult(StatusCodes.Status400BadRequest);
        }

        body ??= new BindingBody();
        var data = body.Data.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(body.Data);
        var response = await bindings.InvokeAsync(
            name,
            new BindingRequest(body.Operation ?? string.Empty, data, body.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal)),
            cancellationToken);
        if (response is null)
        {
            return Results.NoContent();
        }

        RequestMetadata.ToHeaders(http.Response, response.Metadata);
        return Results.Bytes(response.Data, "application/json");
    }

    public sealed class BindingBody
    {
        public JsonElement Data { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public string? Operation { get; set; }
    }
}
