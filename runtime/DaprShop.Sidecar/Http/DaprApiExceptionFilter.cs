using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// An endpoint filter that answers a <see cref="DaprApiException"/> with daprd's
/// <c>{errorCode, message}</c> body and HTTP status.
/// </summary>
public static class DaprApiExceptionFilter
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (DaprApiException e)
        {
            return e.ToResult();
        }
    }
}
