using DaprShop.Contracts.Payments;
using Microsoft.AspNetCore.Http.HttpResults;
using PaymentService.Domain;

namespace PaymentService.Apis;

public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var group = app.MapGroup("/payments").WithTags("Payments");

        var configuration = app.ServiceProvider.GetRequiredService<IConfiguration>();
        if (configuration.IsFaultInjectionEnabled())
        {
            group.AddEndpointFilter<FaultInjectionFilter>();
        }

        group.MapPost("/", CapturePayment).WithName(nameof(CapturePayment));
        group.MapPost("/{orderId}/refund", RefundPayment).WithName(nameof(RefundPayment));
        group.MapGet("/{orderId}", GetPayment).WithName(nameof(GetPayment));

        return group;
    }

    /// <summary>Captures (or declines) the order's payment; idempotent by order id.</summary>
    public static async Task<Results<Ok<PaymentResult>, ValidationProblem>> CapturePayment(
        PaymentRequest request,
        [AsParameters] PaymentServices services,
        CancellationToken cancellationToken)
    {
        var errors = PaymentRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var payment = await services.Ledger.CaptureAsync(request, cancellationToken);
        return TypedResults.Ok(payment.ToResult());
    }

    /// <summary>
    /// Refunds the order's captured payment; refunding twice answers the refunded payment again. An order with no
    /// payment yet gets a voided one (status <c>Voided</c>), which a later capture returns instead of charging.
    /// </summary>
    public static async Task<Results<Ok<PaymentResult>, ProblemHttpResult>> RefundPayment(
        string orderId,
        [AsParameters] PaymentServices services,
        CancellationToken cancellationToken)
    {
        var outcome = await services.Ledger.RefundAsync(orderId, cancellationToken);
        return outcome.Kind switch
        {
            RefundOutcomeKind.Refunded or RefundOutcomeKind.Voided => TypedResults.Ok(outcome.Payment!.ToResult()),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Payment cannot be refunded",
                detail: $"The payment for order '{orderId}' was {outcome.Payment!.Status}; only a captured payment can be refunded."),
        };
    }

    public static async Task<Results<Ok<PaymentDetails>, ProblemHttpResult>> GetPayment(
        string orderId,
        [AsParameters] PaymentServices services,
        CancellationToken cancellationToken)
    {
        return await services.Ledger.FindAsync(orderId, cancellationToken) switch
        {
            { } payment => TypedResults.Ok(PaymentDetails.From(payment)),
            null => PaymentNotFound(orderId),
        };
    }

    private static ProblemHttpResult PaymentNotFound(string orderId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Payment not found", detail: $"There is no payment for order '{orderId}'.");
}
