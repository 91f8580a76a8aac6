using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// An invocation the sidecars could not complete: the target app is unknown, its sidecar refused
/// the call, or its app could not be reached. The caller gets
/// <c>{"errorCode":"ERR_DIRECT_INVOKE","message":"failed to invoke, id: X, err: ..."}</c> with
/// <see cref="StatusCode"/> (500, or 403 when the callee's access control denied the call).
/// </summary>
public sealed class InvocationException : Exception
{
    public InvocationException(int statusCode, string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
        StatusCode = statusCode;
    }

    public InvocationException()
        : this(StatusCodes.Status500InternalServerError, "invocation failed")
    {
    }

    public InvocationException(string message)
        : this(StatusCodes.Status500InternalServerError, message)
    {
    }

    public InvocationException(string message, Exception innerException)
        : this(StatusCodes.Status500InternalServerError, message, innerException)
    {
    }

    /// <summary>The HTTP status the caller's sidecar answers with.</summary>
    public int StatusCode { get; }

    /// <summary>
    /// A failure reported by the callee's sidecar. daprd's sidecars talk gRPC to each other, so
    /// the caller sees the callee's error as Go prints a gRPC status:
    /// <c>rpc error: code = Internal desc = ...</c>.
    /// </summary>
    public static InvocationException FromCallee(string grpcCode, string description, int statusCode = StatusCodes.Status500InternalServerError, Exception? innerException = null) =>
        new(statusCode, $"rpc error: code = {grpcCode} desc = {description}", innerException);
}
