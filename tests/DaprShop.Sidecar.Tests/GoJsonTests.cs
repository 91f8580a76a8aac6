using System.Text.Json.Nodes;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Tests;

/// <summary>JSON written as Go's encoding/json writes a value it decoded into <c>any</c>.</summary>
public sealed class GoJsonTests
{
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.0000001, "1e-7")]
    [InlineData(1.2345e-10, "1.2345e-10")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(123456789012345678.0, "123456789012345680")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100")]
    public void Numbers_are_float64_in_Go_shortest_form(double value, string expected) =>
        Assert.Equal(expected, GoJson.FormatFloat(value));

    [Fact]
    public void Objects_are_sorted_at_every_level_and_strings_escaped_as_Go_escapes_them()
    {
        var node = JsonNode.Parse("""{"z":{"b":1.0,"a":[true,null,"<a&b>"]},"é":"tab\there\u0001\u2028","n":1E2}""");

        Assert.Equal("""{"n":100,"z":{"a":[true,null,"\u003ca\u0026b\u003e"],"b":1},"é":"tab\there\u0001\u2028"}""", GoJson.Marshal(node));
    }
}
