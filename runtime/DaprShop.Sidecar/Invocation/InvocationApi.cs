using System.Text;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// daprd's service invocation HTTP API: any verb on <c>/v1.0/invoke/{appId}/method/{method}</c>,
/// and any path with header <c>dapr-app-id</c> (or basic auth user <c>dapr-app-id</c>) naming the
/// target. As in daprd it is the fallback of the HTTP API: a request no other route takes and
/// that names no target gets 404 <c>ERR_DIRECT_INVOKE</c>.
/// </summary>
public static class InvocationApi
{
    private const string InvokePrefix = "/v1.0/invoke/";
    private const string MethodSeparator = "/method/";

    public static IEndpointRouteBuilder MapInvocationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/{**path}", InvokeAsync).WithDisplayName("InvokeService");
        return endpoints;
    }

    private static async Task InvokeAsync(HttpContext context, InvocationForwarder forwarder)
    {
        var (targetAppId, method) = FindTargetAndMethod(context.Request);
        if (string.IsNullOrEmpty(targetAppId))
        {
            await new DaprError(InvocationForwarder.ErrorCode, "failed getting app id either from the URL path or the header dapr-app-id")
                .WriteAsync(context, StatusCodes.Status404NotFound);
            return;
        }

        await forwarder.ForwardAsync(context, targetAppId, method);
    }

    /// <summary>
    /// The target app and method, looked for where daprd looks: header <c>dapr-app-id</c> (the
    /// whole path is the method), basic auth with user <c>dapr-app-id</c>, then the URL
    /// <c>/v1.0/invoke/{appId}/method/{method}</c>.
    /// </summary>
    internal static (string? AppId, string Method) FindTargetAndMethod(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var header = request.Headers[InvocationTransformer.AppIdHeader].ToString();
        if (!string.IsNullOrEmpty(header))
        {
            return (header, CleanPath(path).TrimStart('/'));
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal) && TryDecodeBasic(authorization["Basic ".Length..], out var user, out var password)
            && string.Equals(user, InvocationTransformer.AppIdHeader, StringComparison.OrdinalIgnoreCase))
        {
            return (password, CleanPath(path).TrimStart('/'));
        }

        if (path.StartsWith(InvokePrefix, StringComparison.Ordinal))
        {
            var rest = path[InvokePrefix.Length..];
            var separator = rest.IndexOf(MethodSeparator, StringComparison.Ordinal);
            if (separator > 0)
            {
                return (Uri.UnescapeDataString(rest[..separator]), rest[(separator + MethodSeparator.Length)..]);
            }
        }

        return (null, string.Empty);
    }

    private static bool TryDecodeBasic(string encoded, out string user, out string password)
    {
        user = password = string.Empty;
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded.Trim(), buffer, out var written))
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(buffer, 0, written).Split(':');
        if (pair.Length != 2)
        {
            return false;
        }

        (user, password) = (pair[0], pair[1]);
        return true;
    }

    /// <summary>Removes duplicate slashes and dot segments, keeping one trailing slash, as daprd cleans the path of a header-addressed call.</summary>
    private static string CleanPath(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        var cleaned = "/" + string.Join('/', segments);
        return path.Length > 1 && path.EndsWith('/') && cleaned != "/" ? cleaned + "/" : cleaned;
    }
}
