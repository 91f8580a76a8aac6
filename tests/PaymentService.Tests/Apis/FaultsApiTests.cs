using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.Contracts.Payments;

namespace PaymentService.Tests.Apis;

public class FaultsApiTests
{
    [Fact]
    public async Task SetFault_down_Payments_answer_503_until_none()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        (await client.PutAsJsonAsync("/faults", new { mode = "down" })).EnsureSuccessStatusCode();
        var down = await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 1m, "EUR", "tok_visa"));
        (await client.PutAsJsonAsync("/faults", new { mode = "none" })).EnsureSuccessStatusCode();
        var up = await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 1m, "EUR", "tok_visa"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task SetFault_down_Nothing_charged()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        await client.PutAsJsonAsync("/faults", new { mode = "down" });
        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 1m, "EUR", "tok_visa"));

        Assert.Equal(0, factory.State.Writes);
    }

    [Fact]
    public async Task GetFault_after_slow_Mode_and_default_delay()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        await client.PutAsJsonAsync("/faults", new { mode = "slow" });
        var fault = await client.GetFromJsonAsync<JsonElement>("/faults");

        Assert.Equal("Slow", fault.GetProperty("mode").GetString());
        Assert.Equal(3000, fault.GetProperty("delayMs").GetInt32());
    }

    [Fact]
    public async Task GetFault_counts_payment_requests_refused_ones_included()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-1", 1m, "EUR", "tok_visa"));
        await client.PutAsJsonAsync("/faults", new { mode = "down" });
        await client.PostAsJsonAsync("/payments", new PaymentRequest("o-2", 1m, "EUR", "tok_visa"));
        var fault = await client.GetFromJsonAsync<JsonElement>("/faults");

        Assert.Equal(2, fault.GetProperty("paymentRequests").GetInt64());
    }

    [Fact]
    public async Task SetFault_bad_mode_400_problem_details()
    {
        await using var factory = new PaymentServiceFactory();
        using var client = factory.CreateClient();

        var response = await client.PutAsJsonAsync("/faults", new { mode = "sideways" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("mode", out _));
    }

    [Fact]
    public async Task SetFault_injection_disabled_404()
    {
        await using var factory = new PaymentServiceFactory { FaultInjectionEnabled = false };
        using var client = factory.CreateClient();

        var response = await client.PutAsJsonAsync("/faults", new { mode = "down" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
