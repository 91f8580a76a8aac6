using DaprShop.Sidecar.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.State;

/// <summary>
/// The state API's errors with daprd's codes and messages (dapr/dapr <c>pkg/api/errors/state.go</c>,
/// <c>pkg/messages/predefined.go</c>, <c>pkg/messages/errorcodes/errorcodes.go</c>, and the
/// handlers in <c>pkg/api/http/http.go</c> and <c>pkg/api/grpc/grpc.go</c>).
/// </summary>
public static class StateErrors
{
    /// <summary>A transaction operation other than upsert or delete: gRPC Unimplemented; over HTTP daprd answers 400.</summary>
    public static DaprApiException OperationNotSupported(string? operation, int httpStatus = StatusCodes.Status500InternalServerError) =>
        new("ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {operation} not supported", httpStatus, StatusCode.Unimplemented);

    public static DaprApiException NotConfigured(string store) =>
        new("ERR_STATE_STORE_NOT_CONFIGURED", $"state store {store} is not configured", StatusCodes.Status500InternalServerError, StatusCode.FailedPrecondition);

    public static DaprApiException NotFound(string store) =>
        new("ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);

    public static DaprApiException Get(string key, string store, Exception error) =>
        new("ERR_STATE_GET", $"fail to get {key} from state store {store}: {error.Message}", StatusCodes.Status500InternalServerError, StatusCode.Internal, error);

    public static DaprApiException BulkGet(Exception error) =>
        new("ERR_STATE_BULK_GET", error.Message, StatusCodes.Status500InternalServerError, StatusCode.Internal, error);

    /// <summary>A failed save: an ETag mismatch is 409 / Aborted, an invalid ETag 400 / InvalidArgument, anything else 500 / Internal.</summary>
    public static DaprApiException Save(string store, Exception error) =>
        WithETagStatus("ERR_STATE_SAVE", $"failed saving state in state store {store}: {error.Message}", error);

    public static DaprApiException Delete(string key, Exception error) =>
        WithETagStatus("ERR_STATE_DELETE", $"failed deleting state with key {key}: {error.Message}", error);

    public static DaprApiException BulkDelete(string store, Exception error) =>
        WithETagStatus("ERR_STATE_BULK_DELETE", $"failed deleting state in state store {store}: {error.Message}", error);

    /// <summary>daprd reports every failed transaction, ETag failures included, as 500 / Internal.</summary>
    public static DaprApiException Transaction(Exception error) =>
        new("ERR_STATE_TRANSACTION", $"error while executing state transaction: {error.Message}", StatusCodes.Status500InternalServerError, StatusCode.Internal, error);

    public static DaprApiException TransactionsNotSupported(string store) =>
        new("ERR_STATE_STORE_NOT_SUPPORTED", $"state store {store} doesn't support transactions", StatusCodes.Status500InternalServerError, StatusCode.Unimplemented);

    private static DaprApiException WithETagStatus(string code, string message, Exception error) => error switch
    {
        StateETagException { Kind: ETagErrorKind.Mismatch } => new(code, message, StatusCodes.Status409Conflict, StatusCode.Aborted, error),
        StateETagException { Kind: ETagErrorKind.Invalid } => new(code, message, StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, error),
        _ => new(code, message, StatusCodes.Status500InternalServerError, StatusCode.Internal, error),
    };
}
