using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// Collapses repeated slashes in the request path. The Dapr .NET SDK joins its default endpoint
/// (<c>http://127.0.0.1:3500/</c>) with paths that start with a slash, so some calls arrive as
/// <c>//v1.0/...</c>; daprd routes them all the same.
/// </summary>
public sealed class PathNormalizationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value;
        if (path is not null && path.Contains("//", StringComparison.Ordinal))
        {
            var collapsed = new System.Text.StringBuilder(path.Length);
            foreach (var c in path)
            {
                if (c != '/' || collapsed.Length == 0 || collapsed[^1] != '/')
                {
                    collapsed.Append(c);
                }
            }

            context.Request.Path = new PathString(collapsed.ToString());
        }

        return next(context);
    }
}
