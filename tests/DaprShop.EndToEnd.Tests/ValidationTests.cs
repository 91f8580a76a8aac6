using System.Net.Http.Headers;
using System.Text;
using DaprShop.EndToEnd.Tests.Infrastructure;

namespace DaprShop.EndToEnd.Tests;

/// <summary>Bad input gets a 400 problem-details answer and changes nothing.</summary>
[Collection(ShopDefinition.Name)]
public sealed class ValidationTests(ShopFixture shop)
{
    [Fact]
    public async Task PlaceOrder_malformed_json_is_bad_request_problem()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using var request = shopper.Request(HttpMethod.Post, "/api/orders");
        request.Content = new StringContent("{\"items\": [", Encoding.UTF8, "application/json");

        using var response = await shop.Gateway.SendAsync(request);

        await Expect.ProblemAsync(response, 400);
        Assert.Empty((await shopper.GetJsonAsync("/api/orders")).AsArray());
    }

    [Fact]
    public async Task PlaceOrder_missing_fields_is_bad_request_problem()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var response = await shopper.SendAsync(HttpMethod.Post, "/api/orders", new { currency = "EUR" });

        await Expect.ProblemAsync(response, 400);
        Assert.Empty((await shopper.GetJsonAsync("/api/orders")).AsArray());
    }

    [Fact]
    public async Task PlaceOrder_negative_quantity_is_bad_request_problem()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);

        using var response = await shopper.PlaceOrderAsync("tok_visa", quantity: -3);

        await Expect.ProblemAsync(response, 400);
        Assert.Empty((await shopper.GetJsonAsync("/api/orders")).AsArray());
    }

    [Fact]
    public async Task Register_weak_password_is_bad_request_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/register")
        {
            Content = new StringContent("{\"email\":\"weak@e2e.test\",\"password\":\"123\"}", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };

        using var response = await shop.Gateway.SendAsync(request);

        await Expect.ProblemAsync(response, 400);
    }
}
