using DaprShop.Sidecar.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The publish API's errors with daprd's codes, messages and statuses (dapr/dapr
/// <c>pkg/api/errors/pubsub.go</c> and <c>validateAndGetPubsubAndTopic</c> in the HTTP and gRPC APIs).
/// </summary>
public static class PubSubErrors
{
    public static DaprApiException NameEmpty() =>
        new("ERR_PUBSUB_EMPTY", "pubsub name is empty", StatusCodes.Status404NotFound, StatusCode.InvalidArgument);

    public static DaprApiException NotFound(string pubsubName) =>
        new("ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsubName} not found", StatusCodes.Status404NotFound, StatusCode.InvalidArgument);

    public static DaprApiException TopicEmpty(string pubsubName) =>
        new("ERR_TOPIC_EMPTY", $"topic is empty in pubsub {pubsubName}", StatusCodes.Status404NotFound, StatusCode.InvalidArgument);

    public static DaprApiException MetadataDeserialize(string reason) =>
        new("ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata. Error: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);

    public static DaprApiException CloudEventCreation(Exception error) =>
        new("ERR_PUBSUB_CLOUD_EVENTS_SER", "cannot create cloudevent", StatusCodes.Status500InternalServerError, StatusCode.InvalidArgument, error);

    public static DaprApiException PublishMessage(string pubsubName, string topic, Exception error) =>
        new("ERR_PUBSUB_PUBLISH_MESSAGE", $"error when publishing to topic {topic} in pubsub {pubsubName}: {error.Message}", StatusCodes.Status500InternalServerError, StatusCode.Internal, error);

    /// <summary>A bulk publish whose entries cannot be read or lack unique ids (daprd's <c>MarshalEvents</c>).</summary>
    public static DaprApiException MarshalEvents(string pubsubName, string topic, string reason) =>
        new("ERR_PUBSUB_EVENTS_SER", $"error marshaling events to bytes for topic {topic} pubsub {pubsubName}. error: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);

    /// <summary>A bulk publish body that is not a JSON array of entries (daprd's <c>UnmarshalEvents</c>, HTTP only).</summary>
    public static DaprApiException UnmarshalEvents(string pubsubName, string topic, string reason) =>
        new("ERR_PUBSUB_EVENTS_SER", $"error when unmarshaling the request for topic {topic} pubsub {pubsubName}: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);

    /// <summary>An entry's event that does not match its content type (daprd's <c>MarshalEnvelope</c>).</summary>
    public static DaprApiException MarshalEnvelope(string pubsubName, string topic, string reason) =>
        new("ERR_PUBSUB_EVENTS_SER", $"error when marshalling cloud event envelope for topic {topic} pubsub {pubsubName}: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);
}
