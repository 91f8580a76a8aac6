using System.Net.Http.Headers;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using HttpVerb = Dapr.Client.Autogen.Grpc.v1.HTTPExtension.Types.Verb;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// Service invocation over gRPC, <c>InvokeService</c> (Dapr.Client's <c>InvokeMethodGrpcAsync</c>), to an app served
/// over HTTP, as daprd 1.18 makes it (<c>pkg/api/grpc/grpc.go</c>, <c>pkg/channel/http/http_channel.go</c>): the
/// message's <c>http_extension</c> gives the verb and query string (none, <c>NONE</c> or <c>CONNECT</c> is refused),
/// its data is the body with its content type, and the caller's metadata become headers. The call takes the same path
/// as the HTTP API's (resiliency, name resolution, the callee's access control). The app's headers come back as
/// response headers with <c>dapr-http-status</c>; a 2xx body is the answer, any other status the gRPC status daprd
/// maps it to, with the status text as message and a <c>google.rpc.ErrorInfo</c> (domain <c>dapr.io</c>,
/// <c>http.code</c>, <c>http.error_message</c>: the body's first 63 bytes).
/// </summary>
public static class InvocationGrpcApi
{
    public const string HttpStatusHeader = "dapr-http-status";

    /// <summary>Request metadata that is about the gRPC call itself, not for the app.</summary>
    private static readonly HashSet<string> MetadataNotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "te", "user-agent", "host", "grpc-accept-encoding", "grpc-encoding", "grpc-timeout", "accept-encoding",
        AppChannelClient.ApiTokenHeader, TraceContext.TraceParentHeader, TraceContext.TraceStateHeader,
    };

    private static readonly HashSet<string> ResponseHeadersNotReturned = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "date", "server",
        AppCallbackInvoker.GrpcStatusHeader, AppCallbackInvoker.GrpcMessageHeader,
    };

    public static DaprGrpcMethods MapInvocationGrpcApi(this DaprGrpcMethods methods, InvocationForwarder forwarder)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods.Unary<InvokeServiceRequest, InvokeResponse>(nameof(InvokeService), (request, context) => InvokeService(forwarder, request, context));
    }

    public static async Task<InvokeResponse> InvokeService(InvocationForwarder forwarder, InvokeServiceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(forwarder);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var message = request.Message ?? new InvokeRequest();
        var toGrpcApp = forwarder.ServesGrpc(request.Id);
        using var http = ToHttpRequest(request.Id, message, context.RequestHeaders, toGrpcApp);
        var parent = TraceContext.Parse(context.RequestHeaders.GetValue(TraceContext.TraceParentHeader), context.RequestHeaders.GetValue(TraceContext.TraceStateHeader));
        using var answer = await forwarder.SendAsync(request.Id, message.Method, http, parent, context.CancellationToken);
        var body = await answer.Content.ReadAsByteArrayAsync(context.CancellationToken);

        var headers = new global::Grpc.Core.Metadata();
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!ResponseHeadersNotReturned.Contains(name) && !name.StartsWith(':'))
            {
                foreach (var value in values)
                {
                    AddHeader(headers, name.ToLowerInvariant(), value);
                }
            }
        }

        // An app served over gRPC answered with a status of its own: the caller gets it as it is, as from daprd.
        if (answer.Headers.TryGetValues(AppCallbackInvoker.GrpcStatusHeader, out var grpcStatus)
            && int.TryParse(grpcStatus.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var appCode))
        {
            var appMessage = answer.Headers.TryGetValues(AppCallbackInvoker.GrpcMessageHeader, out var m) ? Uri.UnescapeDataString(m.FirstOrDefault() ?? string.Empty) : string.Empty;
            throw new RpcException(new global::Grpc.Core.Status((StatusCode)appCode, appMessage), headers);
        }

        var status = (int)answer.StatusCode;
        if (!toGrpcApp)
        {
            headers.Add(HttpStatusHeader, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await context.WriteResponseHeadersAsync(headers);
        if (status is >= 200 and < 300)
        {
            return new InvokeResponse
            {
                Data = new Any { Value = ByteString.CopyFrom(body) },
                ContentType = answer.Content.Headers.ContentType?.ToString() ?? string.Empty,
            };
        }

        throw ErrorFromHttpStatus(status, body);
    }

    /// <summary>
    /// An app's response header as gRPC metadata: a <c>-bin</c> one base64-decoded (dropped when it is not base64, as
    /// daprd drops it), one whose name gRPC does not allow left out.
    /// </summary>
    private static void AddHeader(global::Grpc.Core.Metadata headers, string name, string value)
    {
        try
        {
            if (name.EndsWith(global::Grpc.Core.Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                headers.Add(name, Convert.FromBase64String(value));
            }
            else
            {
                headers.Add(name, value);
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Not a header gRPC can carry.
        }
    }

    /// <summary>The request daprd's HTTP app channel makes of the message; its errors as daprd wraps them.</summary>
    private static HttpRequestMessage ToHttpRequest(string appId, InvokeRequest message, global::Grpc.Core.Metadata incoming, bool toGrpcApp)
    {
        // An app served over gRPC gets the message as it is (AppCallback.OnInvoke); one served over HTTP needs a verb.
        var extension = message.HttpExtension;
        if (!toGrpcApp)
        {
            if (extension is null)
            {
                throw DirectInvoke(appId, "rpc error: code = InvalidArgument desc = missing HTTP extension field");
            }

            if (extension.Verb is HttpVerb.None or HttpVerb.Connect)
            {
                throw DirectInvoke(appId, "rpc error: code = InvalidArgument desc = invalid HTTP verb");
            }
        }

        extension ??= new HTTPExtension { Verb = HttpVerb.Post };

        var path = new PathString("/" + message.Method.TrimStart('/')).ToUriComponent();
        var query = extension.Querystring.Length > 0 ? "?" + extension.Querystring.TrimStart('?') : string.Empty;
        var verb = extension.Verb is HttpVerb.None or HttpVerb.Connect ? "POST" : extension.Verb.ToString().ToUpperInvariant();
        var http = new HttpRequestMessage(new HttpMethod(verb), new Uri($"http://127.0.0.1{path}{query}"));
        if (toGrpcApp && message.HttpExtension is null)
        {
            http.Options.Set(AppCallbackInvoker.WithoutHttpExtension, true);
        }

        var data = message.Data?.Value ?? ByteString.Empty;
        if (!data.IsEmpty || message.ContentType.Length > 0)
        {
            http.Content = new ByteArrayContent(data.ToByteArray());
            if (message.ContentType.Length > 0 && MediaTypeHeaderValue.TryParse(message.ContentType, out var contentType))
            {
                http.Content.Headers.ContentType = contentType;
            }
        }

        foreach (var entry in incoming)
        {
            if (!entry.IsBinary && !MetadataNotForwarded.Contains(entry.Key) && !entry.Key.StartsWith(':') && !entry.Key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
            {
                http.Headers.TryAddWithoutValidation(entry.Key, entry.Value);
            }
        }

        return http;
    }

    private static DaprApiException DirectInvoke(string appId, string reason) =>
        new(InvocationForwarder.ErrorCode, $"failed to invoke, id: {appId}, err: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    /// <summary>daprd's <c>ErrorFromHTTPResponseCode</c>.</summary>
    private static RpcException ErrorFromHttpStatus(int status, byte[] body)
    {
        var text = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        var detail = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 63)));
        var info = new ErrorInfo { Reason = text, Domain = "dapr.io" };
        info.Metadata.Add("http.code", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Metadata.Add("http.error_message", detail);
        var rich = new Google.Rpc.Status { Code = (int)CodeFromHttpStatus(status), Message = text };
        rich.Details.Add(Any.Pack(info));
        return rich.ToRpcException();
    }

    /// <summary>daprd's <c>CodeFromHTTPStatus</c>.</summary>
    public static StatusCode CodeFromHttpStatus(int status) => status switch
    {
        >= 200 and < 300 => StatusCode.OK,
        StatusCodes.Status408RequestTimeout => StatusCode.Cancelled,
        StatusCodes.Status400BadRequest => StatusCode.Internal,
        StatusCodes.Status504GatewayTimeout => StatusCode.DeadlineExceeded,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status409Conflict => StatusCode.AlreadyExists,
        StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
        StatusCodes.Status401Unauthorized => StatusCode.Unauthenticated,
        StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status501NotImplemented => StatusCode.Unimplemented,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
