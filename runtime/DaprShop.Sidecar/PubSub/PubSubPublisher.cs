using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>A publish as the HTTP and gRPC APIs receive it.</summary>
public sealed record PublishRequest(
    string PubsubName,
    string Topic,
    ReadOnlyMemory<byte> Data,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    TraceContext Trace);

/// <summary>
/// Publishing, shared by the HTTP and gRPC APIs and by dead-lettering: validates the pub/sub and
/// topic, wraps the data in daprd's CloudEvent envelope (unless metadata <c>rawPayload</c> is true)
/// and hands it to the component. Errors are <see cref="DaprApiException"/>s with daprd's codes.
/// </summary>
public sealed class PubSubPublisher(SidecarContext sidecar, ILoggerFactory loggerFactory, IResiliencyPolicyProvider resiliency)
{
    public const string RawPayloadKey = "rawPayload";

    private readonly ILogger _logger = loggerFactory.CreateLogger<PubSubPublisher>();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The pub/sub component named <paramref name="pubsubName"/>.</summary>
    public IPubSub Resolve(string pubsubName)
    {
        if (string.IsNullOrEmpty(pubsubName))
        {
            throw PubSubErrors.NameEmpty();
        }

        return sidecar.Components.Get<IPubSub>(pubsubName) ?? throw PubSubErrors.NotFound(pubsubName);
    }

    public async Task PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pubsub = Resolve(request.PubsubName);
        if (string.IsNullOrEmpty(request.Topic))
        {
            throw PubSubErrors.TopicEmpty(request.PubsubName);
        }

        if (!TryGetRawPayload(request.Metadata, out var rawPayload, out var problem))
        {
            throw PubSubErrors.MetadataDeserialize(problem);
        }

        ReadOnlyMemory<byte> data = request.Data;
        if (!rawPayload)
        {
            try
            {
                data = CloudEvents.CreateEnvelope(
                    new CloudEvents.Publication(sidecar.AppId, request.PubsubName, request.Topic, request.Data, request.ContentType, request.Trace),
                    request.Metadata,
                    Time);
            }
            catch (FormatException e)
            {
                throw PubSubErrors.CloudEventCreation(e);
            }
        }

        try
        {
            // daprd runs the pub/sub's resiliency outbound policy around the publish.
            var message = new PubSubMessage(request.Topic, data, null, request.Metadata);
            await resiliency.ForComponentOutbound(request.PubsubName, ComponentKind.Pubsub).ExecuteAsync(ct => pubsub.PublishAsync(message, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Publishing to topic {Topic} in pubsub {PubsubName} failed", request.Topic, request.PubsubName);
            throw PubSubErrors.PublishMessage(request.PubsubName, request.Topic, e);
        }
    }

    /// <summary>
    /// Metadata <c>rawPayload</c> as components-contrib's <c>IsRawPayload</c> reads it: absent or
    /// empty is false, otherwise a Go boolean.
    /// </summary>
    public static bool TryGetRawPayload(IReadOnlyDictionary<string, string> metadata, out bool rawPayload, out string problem)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        rawPayload = false;
        problem = string.Empty;
        if (!metadata.TryGetValue(RawPayloadKey, out var value) || string.IsNullOrEmpty(value))
        {
            return true;
        }

        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                rawPayload = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                return true;
            default:
                problem = $"{RawPayloadKey} value must be a valid boolean: actual is '{value}'";
                return false;
        }
    }
}
