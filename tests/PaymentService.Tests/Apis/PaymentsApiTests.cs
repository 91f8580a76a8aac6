using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Contracts.Payments;

namespace PaymentService.Tests.Apis;

public class PaymentsApiTests
{
    [Fact]
    public async Task CapturePayment_new_order_Captured()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_visa"));

        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<PaymentResult>();
        Assert.Equal(PaymentStatus.Captured, result?.Status);
        Assert.Equal("o-1", result?.OrderId);
        Assert.Equal(12.5m, result?.Amount);
        Assert.Equal("EUR", result?.Currency);
    }

    [Fact]
    public async Task CapturePayment_same_order_twice_Same_payment_stored()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var first = await (await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_visa"))).Content.ReadFromJsonAsync<PaymentResult>();
        var second = await (await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_visa"))).Content.ReadFromJsonAsync<PaymentResult>();
        var stored = await client.GetFromJsonAsync<JsonElement>("/payments/o-1");

        Assert.Equal(first?.PaymentId, second?.PaymentId);
        Assert.Equal(first?.PaymentId, stored.GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task CapturePayment_tok_decline_Declined_with_reason()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var json = await (await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_decline"))).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("Declined", json.GetProperty("status").GetString());
        Assert.Equal("card_declined", json.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":-1,\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":\"o-1\",\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":\"ten\",\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":null,\"amount\":1,\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":1,\"currency\":\"ABC\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":0.001,\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":0.5,\"currency\":\"JPY\",\"paymentMethod\":\"tok_visa\"}")]
    [InlineData("{\"orderId\":\"o-1\",\"amount\":79228162514264337593543950335.5,\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\"}")]
    public async Task CapturePayment_bad_body_400_problem_details(string body)
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var response = await client.PostAsync("/payments", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefundPayment_captured_Refunded_then_idempotent()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_visa"));

        var first = await client.PostAsync("/payments/o-1/refund", content: null);
        var second = await client.PostAsync("/payments/o-1/refund", content: null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(PaymentStatus.Refunded, (await second.Content.ReadFromJsonAsync<PaymentResult>())?.Status);
    }

    [Fact]
    public async Task RefundPayment_no_payment_Voided_and_a_later_capture_charges_nothing()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var refund = await client.PostAsync("/payments/o-late/refund", content: null);
        var capture = await client.PostAsJsonAsync("/payments", new PaymentRequest("o-late", 10m, "EUR", "tok_visa"));

        Assert.Equal(HttpStatusCode.OK, refund.StatusCode);
        var voided = await refund.Content.ReadFromJsonAsync<PaymentResult>();
        Assert.Equal(PaymentStatus.Voided, voided?.Status);
        Assert.Equal(HttpStatusCode.OK, capture.StatusCode);
        var late = await capture.Content.ReadFromJsonAsync<PaymentResult>();
        Assert.Equal(PaymentStatus.Voided, late?.Status);
        Assert.Equal(voided?.PaymentId, late?.PaymentId);
    }

    [Fact]
    public async Task RefundPayment_declined_409_problem_details()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_decline"));

        var response = await client.PostAsync("/payments/o-1/refund", content: null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetPayment_captured_Details()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();
        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 12.5m, "EUR", "tok_visa"));

        var json = await client.GetFromJsonAsync<JsonElement>("/payments/o-1");

        Assert.Equal(12.5m, json.GetProperty("amount").GetDecimal());
        Assert.Equal("Captured", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetPayment_unknown_404()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/payments/nope")).StatusCode);
    }
}
