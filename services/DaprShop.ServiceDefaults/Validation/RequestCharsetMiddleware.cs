using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace DaprShop.ServiceDefaults.Validation;

/// <summary>
/// 415 problem details for a request whose Content-Type names a charset .NET cannot decode (<c>charset=bogus</c>, an
/// empty <c>charset=</c>). Minimal APIs' JSON body binding throws an InvalidOperationException on one, which would
/// answer 500; this check accepts what that binding accepts: utf-8, or a name that
/// <see cref="Encoding.GetEncoding(string)"/> knows. The binding does not unquote the name, so neither does this
/// (<c>charset="utf-8"</c> is refused too).
/// </summary>
internal sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (UnsupportedCharset(context.Request.ContentType) is not { } charset)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported Media Type",
                Detail = $"The request's charset '{charset}' is not a known encoding; send UTF-8.",
            },
        });
    }

    /// <summary>The charset named in <paramref name="contentType"/> when it cannot be decoded, else null.</summary>
    internal static string? UnsupportedCharset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !mediaType.Charset.HasValue)
        {
            return null;
        }

        var charset = mediaType.Charset.ToString();
        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }
}
