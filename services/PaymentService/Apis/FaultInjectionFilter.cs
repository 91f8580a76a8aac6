using PaymentService.Domain;

namespace PaymentService.Apis;

/// <summary>
/// Counts every request to the payment endpoints, then applies the injected fault: <c>down</c> answers 503,
/// <c>slow</c> answers late.
/// </summary>
public sealed class FaultInjectionFilter(FaultInjector faults, ILogger<FaultInjectionFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        faults.CountPaymentRequest();
        var fault = faults.Current;
        switch (fault.Mode)
        {
            case FaultMode.Down:
                logger.LogWarning("Fault injection: refusing {Method} {Path} (down)", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Payment service unavailable",
                    detail: "Fault injection has taken the payment service down.");

            case FaultMode.Slow:
                logger.LogWarning("Fault injection: delaying {Method} {Path} by {DelayMs} ms", context.HttpContext.Request.Method, context.HttpContext.Request.Path, fault.DelayMs);
                await Task.Delay(fault.DelayMs, context.HttpContext.RequestAborted);
                break;
        }

        return await next(context);
    }
}
