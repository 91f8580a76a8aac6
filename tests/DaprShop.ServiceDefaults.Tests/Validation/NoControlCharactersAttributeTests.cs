using DaprShop.ServiceDefaults.Validation;

namespace DaprShop.ServiceDefaults.Tests.Validation;

public class NoControlCharactersAttributeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SKU-TEA-001")]
    [InlineData("Zoë Ångström 山田")]
    [InlineData("with space")]
    public void IsValid_text_without_control_characters_True(string? value)
    {
        Assert.True(new NoControlCharactersAttribute().IsValid(value));
    }

    [Theory]
    [InlineData("nul\u0000")]
    [InlineData("\u0001start")]
    [InlineData("tab\there")]
    [InlineData("line\nfeed")]
    [InlineData("del\u007f")]
    [InlineData("c1\u0085")]
    public void IsValid_text_with_a_control_character_False(string value)
    {
        Assert.False(new NoControlCharactersAttribute().IsValid(value));
    }
}
