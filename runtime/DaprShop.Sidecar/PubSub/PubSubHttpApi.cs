using System.Diagnostics;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The publish API over HTTP: <c>POST|PUT /v1.0/publish/{pubsubname}/{topic}</c> with the data as
/// the body, its <c>Content-Type</c>, and <c>metadata.{key}</c> query parameters
/// (<c>metadata.rawPayload=true</c> publishes the body unwrapped). Answers 204.
/// </summary>
public static class PubSubHttpApi
{
    public static IEndpointRouteBuilder MapPubSubApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/v1.0/publish/{pubsubname}/{**topic}", [HttpMethods.Post, HttpMethods.Put], PublishAsync)
            .AddEndpointFilter(DaprApiExceptionFilter.InvokeAsync)
            .WithDisplayName("PublishEvent");
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
}
