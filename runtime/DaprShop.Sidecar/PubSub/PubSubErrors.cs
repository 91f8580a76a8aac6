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
}
