using DaprShop.Contracts.Payments;
using PaymentService.Domain;

namespace PaymentService.Tests.Domain;

public class PaymentRequestValidatorTests
{
    [Fact]
    public void Validate_valid_request_No_errors()
    {
        Assert.Empty(PaymentRequestValidator.Validate(new PaymentRequest("o-1", 0m, "usd", "tok_visa")));
    }

    [Fact]
    public void Validate_bad_fields_Error_per_field()
    {
        var errors = PaymentRequestValidator.Validate(new PaymentRequest(" ", -1m, "EURO", ""));

        Assert.Equal(["amount", "currency", "orderId", "paymentMethod"], errors.Keys.Order());
    }

    [Theory]
    [InlineData("E1R")]
    [InlineData("EU")]
    public void Validate_currency_not_three_letters_Currency_error(string currency)
    {
        Assert.Contains("currency", PaymentRequestValidator.Validate(new PaymentRequest("o-1", 1m, currency, "tok_visa")).Keys);
    }
}
