using OrderService.Domain;

namespace OrderService.Tests.Domain;

public class OrderIdsTests
{
    [Fact]
    public void FromIdempotencyKey_same_user_and_key_Same_id()
    {
        Assert.Equal(OrderIds.FromIdempotencyKey("u-1", "key-1"), OrderIds.FromIdempotencyKey("u-1", "key-1"));
    }

    [Fact]
    public void FromIdempotencyKey_other_user_Other_id()
    {
        Assert.NotEqual(OrderIds.FromIdempotencyKey("u-1", "key-1"), OrderIds.FromIdempotencyKey("u-2", "key-1"));
    }

    [Fact]
    public void FromIdempotencyKey_other_key_Other_id()
    {
        Assert.NotEqual(OrderIds.FromIdempotencyKey("u-1", "key-1"), OrderIds.FromIdempotencyKey("u-1", "key-2"));
    }

    [Fact]
    public void FromIdempotencyKey_shifted_boundary_Other_id()
    {
        Assert.NotEqual(OrderIds.FromIdempotencyKey("ab", "c"), OrderIds.FromIdempotencyKey("a", "bc"));
    }

    [Fact]
    public void FromIdempotencyKey_any_input_Version_8_uuid()
    {
        var id = Guid.Parse(OrderIds.FromIdempotencyKey("u-1", "key-1"));

        Assert.Equal(8, id.Version);
        Assert.Equal('8', OrderIds.FromIdempotencyKey("u-1", "key-1")[14]);
    }

    [Fact]
    public void New_twice_Different_ids()
    {
        Assert.NotEqual(OrderIds.New(), OrderIds.New());
    }

    [Theory]
    [InlineData("abc-123", true)]
    [InlineData("", false)]
    [InlineData("  ", false)]
    [InlineData("tab\tkey", false)]
    [InlineData("clé", false)]
    public void IsValidIdempotencyKey_input_Expected(string key, bool expected)
    {
        Assert.Equal(expected, OrderIds.IsValidIdempotencyKey(key));
    }

    [Fact]
    public void IsWellFormed_ids_the_service_makes_True()
    {
        Assert.True(OrderIds.IsWellFormed(OrderIds.New()));
        Assert.True(OrderIds.IsWellFormed(OrderIds.FromIdempotencyKey("u-1", "key-1")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nope")]
    [InlineData("a||b")]
    [InlineData("0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B")]
    [InlineData("{0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b}")]
    [InlineData("0193a1b2c3d47e5f8a9b0c1d2e3f4a5b")]
    [InlineData("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b ")]
    [InlineData("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5|")]
    public void IsWellFormed_anything_else_False(string? orderId)
    {
        Assert.False(OrderIds.IsWellFormed(orderId));
    }

    [Fact]
    public void IsValidIdempotencyKey_too_long_False()
    {
        Assert.False(OrderIds.IsValidIdempotencyKey(new string('k', OrderIds.MaxIdempotencyKeyLength + 1)));
    }

    [Fact]
    public void PlaceOrder_OrderId_with_key_Derived_from_user_and_key()
    {
        var command = new PlaceOrder("u-1", null, "key-1", [new OrderLine("a", 1, 1m)], "EUR", "tok_visa");

        Assert.Equal(OrderIds.FromIdempotencyKey("u-1", "key-1"), command.OrderId());
        Assert.Equal(command.OrderId(), command.OrderId());
    }

    [Fact]
    public void PlaceOrder_OrderId_without_key_Fresh_each_time()
    {
        var command = new PlaceOrder("u-1", null, null, [new OrderLine("a", 1, 1m)], "EUR", "tok_visa");

        Assert.NotEqual(command.OrderId(), command.OrderId());
    }
}
