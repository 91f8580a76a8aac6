using System.Net;
using System.Net.Http.Json;
using DaprShop.Contracts.Payments;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Infrastructure;

public class DaprPaymentGatewayTests
{
    private static readonly OrderState Order = TestOrders.Placed("o-1", items: [new OrderLine("sku", 2, 5m)]);

    private static DaprPaymentGateway Gateway(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer, TimeSpan? timeout = null) =>
        new(
            new HttpClient(new StubHandler(answer)) { BaseAddress = new Uri("http://payment-service/") },
            Options.Create(new PaymentGatewayOptions { Timeout = timeout ?? TimeSpan.FromSeconds(5) }),
            NullLogger<DaprPaymentGateway>.Instance);

    private static Task<HttpResponseMessage> Respond(HttpStatusCode status, object? body = null) =>
        Task.FromResult(new HttpResponseMessage(status) { Content = body is null ? null : JsonContent.Create(body) });

    [Fact]
    public async Task CaptureAsync_captured_answer_Captured_and_request_carries_total()
    {
        PaymentRequest? sent = null;
        var gateway = Gateway(async (request, ct) =>
        {
            Assert.Equal("http://payment-service/payments", request.RequestUri?.ToString());
            sent = await request.Content!.ReadFromJsonAsync<PaymentRequest>(ct);
            return await Respond(HttpStatusCode.OK, new PaymentResult("p-1", "o-1", PaymentStatus.Captured, 10m, "EUR"));
        });

        var outcome = await gateway.CaptureAsync(Order, CancellationToken.None);

        Assert.Equal(new PaymentOutcome.Captured("p-1", "o-1", 10m, "EUR"), outcome);
        Assert.Equal(new PaymentRequest("o-1", 10m, "EUR", "tok_visa"), sent);
    }

    [Fact]
    public async Task CaptureAsync_declined_answer_Declined_with_reason()
    {
        var gateway = Gateway((_, _) => Respond(HttpStatusCode.OK, new PaymentResult("p-1", "o-1", PaymentStatus.Declined, 10m, "EUR", "card_declined")));

        Assert.Equal(new PaymentOutcome.Declined("p-1", "card_declined"), await gateway.CaptureAsync(Order, CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task CaptureAsync_failure_status_Unavailable(HttpStatusCode status)
    {
        var gateway = Gateway((_, _) => Respond(status));

        Assert.IsType<PaymentOutcome.Unavailable>(await gateway.CaptureAsync(Order, CancellationToken.None));
    }

    [Fact]
    public async Task CaptureAsync_sidecar_unreachable_Unavailable()
    {
        var gateway = Gateway((_, _) => throw new HttpRequestException("connection refused"));

        Assert.IsType<PaymentOutcome.Unavailable>(await gateway.CaptureAsync(Order, CancellationToken.None));
    }

    [Fact]
    public async Task CaptureAsync_no_answer_within_timeout_Unavailable()
    {
        var gateway = Gateway(
            async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return new HttpResponseMessage(HttpStatusCode.OK);
            },
            TimeSpan.FromMilliseconds(50));

        var outcome = await gateway.CaptureAsync(Order, CancellationToken.None);

        Assert.Contains("did not answer", Assert.IsType<PaymentOutcome.Unavailable>(outcome).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureAsync_caller_cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var gateway = Gateway(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gateway.CaptureAsync(Order, cancelled.Token));
    }

    [Fact]
    public async Task CaptureAsync_bad_request_answer_Throws()
    {
        var gateway = Gateway((_, _) => Respond(HttpStatusCode.BadRequest));

        await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.CaptureAsync(Order, CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, PaymentStatus.Refunded, PaymentRefundOutcome.Refunded)]
    [InlineData(HttpStatusCode.OK, PaymentStatus.Voided, PaymentRefundOutcome.NoPayment)]
    [InlineData(HttpStatusCode.Conflict, null, PaymentRefundOutcome.NotRefundable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, null, PaymentRefundOutcome.Unavailable)]
    public async Task RefundAsync_answer_Outcome(HttpStatusCode status, PaymentStatus? stored, PaymentRefundOutcome expected)
    {
        var gateway = Gateway((request, _) =>
        {
            Assert.Equal("http://payment-service/payments/o-1/refund", request.RequestUri?.ToString());
            return Respond(status, stored is { } payment ? new PaymentResult("p-1", "o-1", payment, 10m, "EUR") : null);
        });

        Assert.Equal(expected, await gateway.RefundAsync("o-1", CancellationToken.None));
    }

    [Fact]
    public async Task RefundAsync_not_found_answer_Throws()
    {
        var gateway = Gateway((_, _) => Respond(HttpStatusCode.NotFound));

        await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.RefundAsync("o-1", CancellationToken.None));
    }

    [Theory]
    [InlineData(PaymentStatus.Refunded)]
    [InlineData(PaymentStatus.Voided)]
    public async Task CaptureAsync_payment_already_refunded_or_voided_Unavailable(PaymentStatus stored)
    {
        var gateway = Gateway((_, _) => Respond(HttpStatusCode.OK, new PaymentResult("p-1", "o-1", stored, 0m, "XXX")));

        Assert.IsType<PaymentOutcome.Unavailable>(await gateway.CaptureAsync(Order, CancellationToken.None));
    }

    private sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }
}
