using System.Text.Json.Serialization;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Metadata;

/// <summary>
/// The metadata API over HTTP, with the JSON shape of daprd's <c>pkg/api/http/metadata.go</c>:
/// <c>id</c>, <c>runtimeVersion</c>, <c>enabledFeatures</c>, <c>actors</c>, <c>components</c>
/// (<c>name</c>, <c>type</c>, <c>version</c>, <c>capabilities</c>), <c>extended</c>,
/// <c>subscriptions</c>, <c>httpEndpoints</c>, <c>appConnectionProperties</c>, <c>actorRuntime</c>.
/// <c>PUT /v1.0/metadata/{key}</c> sets an extended attribute to the request body and answers 204.
/// </summary>
public static class MetadataHttpApi
{
    public static IEndpointRouteBuilder MapMetadataApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1.0/metadata", GetMetadata);
        endpoints.MapPut("/v1.0/metadata/{key}", PutMetadataAsync);
        return endpoints;
    }

    public static IResult GetMetadata(MetadataService metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Results.Json(ToJson(metadata.Build()), DaprJson.Options);
    }

    public static async Task<IResult> PutMetadataAsync(string key, HttpRequest request, MetadataService metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(metadata);
        using var reader = new StreamReader(request.Body);
        metadata.SetExtended(key, await reader.ReadToEndAsync(cancellationToken));
        return Results.NoContent();
    }

    public static MetadataJson ToJson(GetMetadataResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var app = response.AppConnectionProperties;
        var actors = response.ActorRuntime;
        return new MetadataJson(
            response.Id,
            NullIfEmpty(response.RuntimeVersion),
            response.EnabledFeatures.Count == 0 ? null : [.. response.EnabledFeatures],
            // daprd fills the deprecated top-level actors list from the actor runtime's.
            actors is { ActiveActors.Count: > 0 } ? [.. actors.ActiveActors.Select(a => new ActiveActorsJson(a.Type, a.Count))] : null,
            response.RegisteredComponents.Count == 0 ? null : [.. response.RegisteredComponents.Select(c => new ComponentJson(
                c.Name,
                c.Type,
                c.Version,
                c.Capabilities.Count == 0 ? null : [.. c.Capabilities]))],
            response.ExtendedMetadata.Count == 0 ? null : response.ExtendedMetadata.ToDictionary(),
            response.Subscriptions.Count == 0 ? null : [.. response.Subscriptions.Select(s => new SubscriptionJson(
                s.PubsubName,
                s.Topic,
                s.Metadata.Count == 0 ? null : s.Metadata.ToDictionary(),
                s.Rules?.Rules.Count > 0 ? [.. s.Rules.Rules.Select(r => new SubscriptionRuleJson(NullIfEmpty(r.Match), NullIfEmpty(r.Path)))] : null,
                s.DeadLetterTopic,
                s.Type.ToString().ToUpperInvariant()))],
            response.HttpEndpoints.Count == 0 ? null : [.. response.HttpEndpoints.Select(e => new HttpEndpointJson(e.Name))],
            new AppConnectionJson(
                app?.Port is > 0 ? app.Port : null,
                NullIfEmpty(app?.Protocol),
                NullIfEmpty(app?.ChannelAddress),
                app?.MaxConcurrency is > 0 ? app.MaxConcurrency : null),
            new ActorRuntimeJson(
                (actors?.RuntimeStatus ?? ActorRuntime.Types.ActorRuntimeStatus.Initializing).ToString().ToUpperInvariant(),
                actors is { ActiveActors.Count: > 0 } ? [.. actors.ActiveActors.Select(a => new ActiveActorsJson(a.Type, a.Count))] : null,
                actors?.HostReady ?? false,
                NullIfEmpty(actors?.Placement)));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public sealed record MetadataJson(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("runtimeVersion")] string? RuntimeVersion,
        [property: JsonPropertyName("enabledFeatures")] IReadOnlyList<string>? EnabledFeatures,
        [property: JsonPropertyName("actors")] IReadOnlyList<ActiveActorsJson>? Actors,
        [property: JsonPropertyName("components")] IReadOnlyList<ComponentJson>? Components,
        [property: JsonPropertyName("extended")] IReadOnlyDictionary<string, string>? Extended,
        [property: JsonPropertyName("subscriptions")] IReadOnlyList<SubscriptionJson>? Subscriptions,
        [property: JsonPropertyName("httpEndpoints")] IReadOnlyList<HttpEndpointJson>? HttpEndpoints,
        [property: JsonPropertyName("appConnectionProperties")] AppConnectionJson AppConnectionProperties,
        [property: JsonPropertyName("actorRuntime")] ActorRuntimeJson ActorRuntime);

    public sealed record ActiveActorsJson(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("count")] int Count);

    public sealed record ComponentJson(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("capabilities")] IReadOnlyList<string>? Capabilities);

    public sealed record SubscriptionJson(
        [property: JsonPropertyName("pubsubname")] string PubsubName,
        [property: JsonPropertyName("topic")] string Topic,
        [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata,
        [property: JsonPropertyName("rules")] IReadOnlyList<SubscriptionRuleJson>? Rules,
        [property: JsonPropertyName("deadLetterTopic")] string DeadLetterTopic,
        [property: JsonPropertyName("type")] string Type);

    public sealed record SubscriptionRuleJson(
        [property: JsonPropertyName("match")] string? Match,
        [property: JsonPropertyName("path")] string? Path);

    public sealed record HttpEndpointJson([property: JsonPropertyName("name")] string Name);

    public sealed record AppConnectionJson(
        [property: JsonPropertyName("port")] int? Port,
        [property: JsonPropertyName("protocol")] string? Protocol,
        [property: JsonPropertyName("channelAddress")] string? ChannelAddress,
        [property: JsonPropertyName("maxConcurrency")] int? MaxConcurrency);

    public sealed record ActorRuntimeJson(
        [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
        [property: JsonPropertyName("activeActors")] IReadOnlyList<ActiveActorsJson>? ActiveActors,
        [property: JsonPropertyName("hostReady")] bool HostReady,
        [property: JsonPropertyName("placement")] string? Placement);
}
