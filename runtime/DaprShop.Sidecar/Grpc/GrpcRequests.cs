using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Grpc;

/// <summary>Recognising gRPC calls among the sidecar's requests, and answering one with a status of the sidecar's own.</summary>
public static class GrpcRequests
{
    /// <summary>A gRPC call: HTTP/2 with content type <c>application/grpc</c> (or <c>application/grpc+proto</c> and the like).</summary>
    public static bool IsGrpc(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpProtocol.IsHttp2(request.Protocol)
            && request.ContentType is { } type
            && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Ends a gRPC call the sidecar answers itself with <paramref name="code"/> and <paramref name="message"/>, as a
    /// trailers-only response (HTTP 200, the status in the headers), which every gRPC client reads as the call's status.
    /// </summary>
    public static Task WriteStatusAsync(HttpContext context, StatusCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return response.CompleteAsync();
    }
}
