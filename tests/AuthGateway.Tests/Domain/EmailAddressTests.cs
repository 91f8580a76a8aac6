using AuthGateway.Domain;

namespace AuthGateway.Tests.Domain;

public class EmailAddressTests
{
    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("  Alice.Smith+shop@Example.COM ", "alice.smith+shop@example.com")]
    public void TryNormalize_valid_address_Trimmed_lower_case(string input, string expected)
    {
        Assert.True(EmailAddress.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-email")]
    [InlineData("alice@")]
    [InlineData("@example.com")]
    [InlineData("alice@localhost")]
    [InlineData("Alice <alice@example.com>")]
    [InlineData("alice smith@example.com")]
    [InlineData("alice|x@example.com")]
    [InlineData("alice@exa..mple.com")]
    [InlineData("élodie@example.com")]
    public void TryNormalize_invalid_address_False(string? input)
    {
        Assert.False(EmailAddress.TryNormalize(input, out _));
    }

    [Fact]
    public void TryNormalize_too_long_False()
    {
        Assert.False(EmailAddress.TryNormalize(new string('a', 250) + "@example.com", out _));
    }
}
