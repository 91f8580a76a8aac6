using DaprShop.Sidecar.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// The actor API's errors with daprd's codes, messages and statuses (dapr/dapr
/// <c>pkg/messages/predefined.go</c>, <c>pkg/api/errors/actor.go</c>,
/// <c>pkg/messages/errorcodes/errorcodes.go</c>; handlers in <c>pkg/api/http/actors.go</c>).
/// </summary>
public static class ActorErrors
{
    /// <summary>No component with <c>actorStateStore: "true"</c>: the actor runtime cannot host or keep state.</summary>
    public static DaprApiException RuntimeNotFound() => new(
        "ERR_ACTOR_RUNTIME_NOT_FOUND",
        "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?",
        StatusCodes.Status500InternalServerError,
        StatusCode.Internal);

    public static DaprApiException Invoke(string reason) =>
        new("ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    /// <summary>
    /// What daprd 1.18 answers when no host serves the actor type (after its placement lookup
    /// retries): the placement error wrapped as an invocation error.
    /// </summary>
    public static DaprApiException NoAddress(string actorType, string actorId) =>
        Invoke($"failed to lookup actor: api error: code = FailedPrecondition desc = did not find address for actor '{actorType}/{actorId}'");

    public static DaprApiException InstanceMissing() =>
        new("ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing", StatusCodes.Status400BadRequest, StatusCode.Internal);

    public static DaprApiException StateGet(string reason) =>
        new("ERR_ACTOR_STATE_GET", $"error getting actor state: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException StateTransactionSave(string reason) =>
        new("ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException ReminderCreate(string reason) =>
        new("ERR_ACTOR_REMINDER_CREATE", $"error creating actor reminder: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException ReminderGet(string reason) =>
        new("ERR_ACTOR_REMINDER_GET", $"error getting actor reminder: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException ReminderDelete(string reason) =>
        new("ERR_ACTOR_REMINDER_DELETE", $"error deleting actor reminder: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException ReminderNotFound(string name) =>
        new("ERR_ACTOR_REMINDER_NOT_FOUND", $"actor reminder not found: {name}", StatusCodes.Status404NotFound, StatusCode.NotFound);

    public static DaprApiException ReminderAlreadyExists(string name) =>
        new("ERR_ACTOR_REMINDER_ALREADY_EXISTS", $"actor reminder already exists: {name}", StatusCodes.Status409Conflict, StatusCode.AlreadyExists);

    public static DaprApiException ReminderNonHosted() => new(
        "ERR_ACTOR_REMINDER_NON_HOSTED",
        "operations on actor reminders are only possible on hosted actor types",
        StatusCodes.Status403Forbidden,
        StatusCode.PermissionDenied);

    public static DaprApiException TimerCreate(string reason) =>
        new("ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    public static DaprApiException MaxStackDepthExceeded() =>
        new("ERR_ACTOR_STACK_DEPTH", "maximum stack depth exceeded", StatusCodes.Status500InternalServerError, StatusCode.ResourceExhausted);

    /// <summary>A body that is not the JSON the endpoint expects (daprd's <c>ActorMalformedRequest</c>).</summary>
    public static DaprApiException MalformedRequest(string reason) =>
        new("ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);

    /// <summary>An invalid name or id in the path (daprd's <c>ActorBadRequest</c>).</summary>
    public static DaprApiException BadRequest(string reason) =>
        new("ERR_BAD_REQUEST", $"invalid request: {reason}", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);
}
