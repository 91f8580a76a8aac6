using DaprShop.Contracts.Payments;

namespace PaymentService.Tests.Contracts;

public class CurrenciesTests
{
    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("usd", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("CLF", 4)]
    public void TryGetMinorUnits_iso_4217_code_Its_decimal_places(string code, int expected)
    {
        Assert.True(Currencies.TryGetMinorUnits(code, out var places));
        Assert.Equal(expected, places);
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("XAU")]
    [InlineData("XTS")]
    [InlineData("ABC")]
    [InlineData("EURO")]
    [InlineData("")]
    [InlineData(null)]
    public void IsKnown_no_money_or_no_code_False(string? code)
    {
        Assert.False(Currencies.IsKnown(code));
    }

    [Theory]
    [InlineData(12.50, "EUR", true)]
    [InlineData(12.505, "EUR", false)]
    [InlineData(1500, "JPY", true)]
    [InlineData(1.5, "JPY", false)]
    [InlineData(0.125, "BHD", true)]
    [InlineData(0.1255, "BHD", false)]
    [InlineData(1, "ABC", false)]
    public void IsWholeMinorUnits_amount_and_code_Answer(decimal amount, string code, bool expected)
    {
        Assert.Equal(expected, Currencies.IsWholeMinorUnits(amount, code));
    }

    [Fact]
    public void IsWholeMinorUnits_amounts_near_decimal_s_limit_Answer_without_overflowing()
    {
        Assert.True(Currencies.IsWholeMinorUnits(decimal.MaxValue, "EUR"));
        Assert.False(Currencies.IsWholeMinorUnits(decimal.MaxValue / 10m, "JPY"));
        Assert.True(Currencies.IsWholeMinorUnits(decimal.MinValue, "KWD"));
    }

    [Fact]
    public void Codes_Every_one_three_upper_case_letters()
    {
        Assert.True(Currencies.Codes.Count > 150);
        Assert.All(Currencies.Codes, code => Assert.Matches("^[A-Z]{3}$", code));
    }
}
