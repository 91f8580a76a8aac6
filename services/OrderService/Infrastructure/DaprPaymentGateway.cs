using System.Net;
using System.Text.Json;
using DaprShop.Contracts.Payments;
using Microsoft.Extensions.Options;
using OrderService.Domain;

namespace OrderService.Infrastructure;

/// <summary>
/// payment-service through Dapr service invocation: <paramref name="http"/> is an <see cref="HttpClient"/> whose
/// Dapr <c>InvocationHandler</c> sends <c>http://payment-service/...</c> to the sidecar's
/// <c>/v1.0/invoke/payment-service/method/...</c> (where the order-service sidecar applies its resiliency policies).
/// </summary>
public sealed class DaprPaymentGateway(HttpClient http, IOptions<PaymentGatewayOptions> options, ILogger<DaprPaymentGateway> logger) : IPaymentGateway
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<PaymentOutcome> CaptureAsync(OrderState order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);

        using var request = new HttpRequestMessage(HttpMethod.Post, PaymentRoutes.Payments)
        {
            Content = JsonContent.Create(new PaymentRequest(order.OrderId, order.Total, order.Currency, order.PaymentMethod), options: Json),
        };

        var answer = await SendAsync(request, order.OrderId, cancellationToken);
        if (answer.Unavailable is { } reason)
        {
            return new PaymentOutcome.Unavailable(reason);
        }

        using var response = answer.Response!;
        EnsureSuccess(response, order.OrderId);
        var result = await response.Content.ReadFromJsonAsync<PaymentResult>(Json, cancellationToken)
            ?? throw new InvalidOperationException($"payment-service answered an empty body for order {order.OrderId}.");

        return result.Status switch
        {
            // An answer without the amount is from a payment-service that cannot say what it captured: ask again later.
            PaymentStatus.Captured when result.Currency is null => new PaymentOutcome.Unavailable("payment-service did not say what it captured"),
            PaymentStatus.Captured => new PaymentOutcome.Captured(result.PaymentId, result.OrderId, result.Amount, result.Currency),
            PaymentStatus.Declined => new PaymentOutcome.Declined(result.PaymentId, result.Reason),
            // Refunded or voided: a cancellation of this order is under way (its cancel-order or payment-window
            // reminder finishes it), so the order keeps waiting rather than taking a payment answer.
            _ => new PaymentOutcome.Unavailable($"the order's payment is already {result.Status}"),
        };
    }

    public async Task<PaymentRefundOutcome> RefundAsync(string orderId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PaymentRoutes.Refund(orderId));

        var answer = await SendAsync(request, orderId, cancellationToken);
        if (answer.Unavailable is not null)
        {
            return PaymentRefundOutcome.Unavailable;
        }

        using var response = answer.Response!;
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return PaymentRefundOutcome.NotRefundable;
        }

        EnsureSuccess(response, orderId);
        var result = await response.Content.ReadFromJsonAsync<PaymentResult>(Json, cancellationToken)
            ?? throw new InvalidOperationException($"payment-service answered an empty body to the refund of order {orderId}.");

        // Voided: nothing had been captured, and payment-service now refuses any capture for the order.
        return result.Status == PaymentStatus.Voided ? PaymentRefundOutcome.NoPayment : PaymentRefundOutcome.Refunded;
    }

    /// <summary>Sends within the timeout; unreachable, timed out, or a 5xx, 408 or 429 answer → unavailable (with the reason).</summary>
    private async Task<(HttpResponseMessage? Response, string? Unavailable)> SendAsync(HttpRequestMessage request, string orderId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);

        try
        {
            var response = await http.SendAsync(request, timeout.Token);
            if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                return (null, $"payment-service answered {status}");
            }

            return (response, null);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "payment-service unreachable for order {OrderId}", orderId);
            return (null, "payment-service unreachable");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"payment-service did not answer within {options.Value.Timeout.TotalMilliseconds:0} ms");
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response, string orderId)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"payment-service refused the request for order {orderId} with {(int)response.StatusCode}.");
        }
    }
}
