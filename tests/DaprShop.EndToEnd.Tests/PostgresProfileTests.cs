using DaprShop.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace DaprShop.EndToEnd.Tests;

/// <summary>The postgres profile keeps the shop's state where daprd would: a row per key in state.postgresql v2's table.</summary>
[Collection(PostgresShopDefinition.Name)]
public sealed class PostgresProfileTests(PostgresShopFixture shop)
{
    [Fact]
    public async Task Placed_order_is_a_row_of_the_v2_state_table_under_order_services_prefix()
    {
        var shopper = await Shopper.RegisterAsync(shop.Gateway);
        using var placed = await shopper.PlaceOrderAsync("tok_visa", idempotencyKey: Guid.NewGuid().ToString());
        var orderId = (await Expect.JsonAsync(placed, 201))["orderId"]!.GetValue<string>();

        await using var db = await PostgresServer.OpenAsync(shop.PostgresConnection!);
        await using var command = new NpgsqlCommand("SELECT convert_from(value, 'UTF8'), etag::text FROM state WHERE key = $1", db);
        command.Parameters.AddWithValue($"order-service||order-{orderId}");
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync(), "no row for the order");
        Assert.Contains($"\"orderId\":\"{orderId}\"", reader.GetString(0), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(reader.GetString(1), out _));
    }
}
