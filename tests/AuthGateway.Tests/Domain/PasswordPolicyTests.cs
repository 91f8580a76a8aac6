using AuthGateway.Domain;

namespace AuthGateway.Tests.Domain;

public class PasswordPolicyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1234567")]
    [InlineData("        ")]
    public void Check_weak_password_Reason(string? password)
    {
        Assert.NotNull(PasswordPolicy.Check(password));
    }

    [Fact]
    public void Check_too_long_Reason()
    {
        Assert.NotNull(PasswordPolicy.Check(new string('p', PasswordPolicy.MaxLength + 1)));
    }

    [Theory]
    [InlineData("12345678")]
    [InlineData("correct horse battery staple")]
    public void Check_acceptable_password_Null(string password)
    {
        Assert.Null(PasswordPolicy.Check(password));
    }
}
