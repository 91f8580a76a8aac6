using DaprShop.Sidecar.Resiliency;

namespace DaprShop.Sidecar.Tests.Resiliency;

public sealed class StatusCodeMatcherTests
{
    [Theory]
    [InlineData(500, true)]
    [InlineData(501, false)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(505, false)]
    [InlineData(404, false)]
    [InlineData(429, true)]
    public void ShouldRetry_http_codes_in_the_list_or_a_range(int code, bool expected)
    {
        var matcher = StatusCodeMatcher.Parse("429,500,502-504", null);

        Assert.Equal(expected, matcher.ShouldRetry(code));
    }

    [Fact]
    public void ShouldRetry_failure_without_a_code_is_always_retried()
    {
        Assert.True(StatusCodeMatcher.Parse("500", "14").ShouldRetry(null));
    }

    [Fact]
    public void ShouldRetry_empty_lists_retry_everything_and_each_list_covers_its_own_codes()
    {
        var httpOnly = StatusCodeMatcher.Parse("500", string.Empty);
        var grpcOnly = StatusCodeMatcher.Parse(null, "1-4,8-11,13,14");

        Assert.True(StatusCodeMatcher.Parse(null, null).ShouldRetry(404));
        Assert.True(StatusCodeMatcher.Parse(string.Empty, string.Empty).ShouldRetry(3));
        Assert.True(httpOnly.ShouldRetry(14));
        Assert.False(httpOnly.ShouldRetry(503));
        Assert.True(grpcOnly.ShouldRetry(14));
        Assert.False(grpcOnly.ShouldRetry(5));
        Assert.True(grpcOnly.ShouldRetry(418));
    }

    [Fact]
    public void Parse_skips_empty_items_and_a_list_of_only_commas_retries_nothing()
    {
        Assert.True(StatusCodeMatcher.Parse(",500,,", null).ShouldRetry(500));
        Assert.False(StatusCodeMatcher.Parse(",", null).ShouldRetry(500));
    }

    [Theory]
    [InlineData("500, 502", null, "failed to parse start code ' 502' from pattern ' 502'")]
    [InlineData("5xx", null, "failed to parse start code '5xx'")]
    [InlineData("500-", null, "failed to parse end code ''")]
    [InlineData("500-502-504", null, "more than one '-' exists")]
    [InlineData("99", null, "start code 99 is not within 100-599")]
    [InlineData("500-600", null, "end code 600 is not within 100-599")]
    [InlineData("504-500", null, "start value should not be bigger than end value")]
    [InlineData(null, "0-17", "end code 17 is not within 0-16")]
    [InlineData(null, "-1", "failed to parse start code ''")]
    public void Parse_bad_pattern_throws_naming_it(string? http, string? grpc, string problem)
    {
        var error = Assert.Throws<FormatException>(() => StatusCodeMatcher.Parse(http, grpc));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
