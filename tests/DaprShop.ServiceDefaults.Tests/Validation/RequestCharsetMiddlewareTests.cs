using DaprShop.ServiceDefaults.Validation;

namespace DaprShop.ServiceDefaults.Tests.Validation;

public class RequestCharsetMiddlewareTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("not a media type; charset=bogus")]
    public void UnsupportedCharset_none_or_known_Null(string? contentType)
    {
        Assert.Null(RequestCharsetMiddleware.UnsupportedCharset(contentType));
    }

    [Theory]
    [InlineData("application/json; charset=bogus", "bogus")]
    [InlineData("application/json; charset=\"bogus\"", "\"bogus\"")]
    [InlineData("application/json; charset=", "")]
    [InlineData("application/json; charset=\"\"", "\"\"")]
    [InlineData("application/json; charset=\"utf-8\"", "\"utf-8\"")]
    [InlineData("text/plain; charset=utf-9", "utf-9")]
    public void UnsupportedCharset_unknown_The_charset(string contentType, string expected)
    {
        Assert.Equal(expected, RequestCharsetMiddleware.UnsupportedCharset(contentType));
    }
}
