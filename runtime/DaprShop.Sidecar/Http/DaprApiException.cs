using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// An API error as daprd reports it: one error code and message, with the HTTP status the HTTP API
/// answers and the gRPC status code the gRPC API answers (daprd's <c>messages.APIError</c> and
/// <c>kit/errors</c> carry both in the same way). Building blocks throw it from the logic both front
/// ends share; each front end turns it into its own shape.
/// </summary>
public sealed class DaprApiException : Exception
{
    public DaprApiException(string errorCode, string message, int httpStatus, StatusCode grpcStatus, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        HttpStatus = httpStatus;
        GrpcStatus = grpcStatus;
    }

    public DaprApiException()
        : this("ERR_INTERNAL", "internal error", StatusCodes.Status500InternalServerError, StatusCode.Internal)
    {
    }

    public DaprApiException(string message)
        : this("ERR_INTERNAL", message, StatusCodes.Status500InternalServerError, StatusCode.Internal)
    {
    }

    public DaprApiException(string message, Exception innerException)
        : this("ERR_INTERNAL", message, StatusCodes.Status500InternalServerError, StatusCode.Internal, innerException)
    {
    }

    /// <summary>daprd's error code, such as <c>ERR_STATE_STORE_NOT_FOUND</c>.</summary>
    public string ErrorCode { get; }

    public int HttpStatus { get; }

    public StatusCode GrpcStatus { get; }

    /// <summary>The <c>{errorCode, message}</c> body with this error's HTTP status.</summary>
    public IResult ToResult() => new DaprError(ErrorCode, Message).ToResult(HttpStatus);

    /// <summary>The gRPC status this error answers with.</summary>
    public RpcException ToRpcException() => new(new Status(GrpcStatus, Message));
}
