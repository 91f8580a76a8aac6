using DaprShop.Sidecar.Resiliency;

namespace DaprShop.Sidecar.Tests.Resiliency;

public sealed class TripExpressionTests
{
    // requests 10, totalSuccesses 4, totalFailures 6, consecutiveSuccesses 0, consecutiveFailures 3
    private static readonly BreakerCounts Counts = new(10, 4, 6, 0, 3);

    [Theory]
    [InlineData("consecutiveFailures > 2", true)]
    [InlineData("consecutiveFailures > 3", false)]
    [InlineData("consecutiveFailures >= 3", true)]
    [InlineData("consecutiveFailures < 3", false)]
    [InlineData("consecutiveFailures <= 3", true)]
    [InlineData("consecutiveFailures == 3", true)]
    [InlineData("consecutiveFailures != 3", false)]
    [InlineData("requests == 10 && totalSuccesses == 4 && totalFailures == 6 && consecutiveSuccesses == 0", true)]
    [InlineData("requests > 5 && totalFailures > 10", false)]
    [InlineData("requests > 50 || totalFailures > 5", true)]
    [InlineData("requests > 50 || totalFailures > 50", false)]
    [InlineData("!(consecutiveFailures > 5)", true)]
    [InlineData("!!(consecutiveFailures > 5)", false)]
    [InlineData("(requests > 50 || totalFailures > 5) && consecutiveFailures > 2", true)]
    [InlineData("requests > 50 || totalFailures > 5 && consecutiveFailures > 5", false)]
    [InlineData("totalFailures * 100 / requests >= 60", true)]
    [InlineData("totalFailures * 100 / requests > 60", false)]
    [InlineData("totalFailures + totalSuccesses == requests", true)]
    [InlineData("requests - totalFailures * 2 == -2", true)]
    [InlineData("(requests - totalFailures) * 2 == 8", true)]
    [InlineData("requests % 4 == 2", true)]
    [InlineData("1 + 2 * 3 == 7 && 7 == (1 + 2) * 3 - 2", true)]
    [InlineData("10 / 3 == 3 && -7 / 2 == -3", true)]
    [InlineData("-consecutiveFailures < 0", true)]
    [InlineData("consecutiveFailures > 2 == true", true)]
    [InlineData("true", true)]
    [InlineData("false || requests>9", true)]
    public void Parse_then_ShouldTrip_follows_cel_operators_and_precedence(string expression, bool expected)
    {
        Assert.Equal(expected, TripExpression.Parse(expression).ShouldTrip(Counts));
    }

    [Theory]
    [InlineData("requests / totalSuccesses > 1", false)]
    [InlineData("totalSuccesses == 0 || requests / totalSuccesses > 1", true)]
    [InlineData("requests / totalSuccesses > 1 || consecutiveFailures == 3", true)]
    [InlineData("requests / totalSuccesses > 1 && consecutiveFailures == 3", false)]
    [InlineData("requests % totalSuccesses > 1 && consecutiveFailures == 4", false)]
    [InlineData("9223372036854775807 + requests > 0", false)]
    public void ShouldTrip_evaluation_error_does_not_trip_unless_absorbed_by_and_or(string expression, bool expected)
    {
        var counts = Counts with { TotalSuccesses = 0 };

        Assert.Equal(expected, TripExpression.Parse(expression).ShouldTrip(counts));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("consecutiveFailures >", "ends where a value is expected")]
    [InlineData("consecutiveFailures > 5 &&", "ends where a value is expected")]
    [InlineData("failures > 5", "unknown name 'failures'")]
    [InlineData("consecutiveFailures", "is not a boolean expression")]
    [InlineData("requests + 1", "is not a boolean expression")]
    [InlineData("(consecutiveFailures > 5", "missing a closing ')'")]
    [InlineData("consecutiveFailures > 5)", "unexpected ')'")]
    [InlineData("consecutiveFailures = 5", "'=' at position 21 is not an operator")]
    [InlineData("consecutiveFailures > 5 & requests > 1", "unexpected '&")]
    [InlineData("requests > true", "'>' needs ints, not a boolean")]
    [InlineData("!requests", "'!' needs booleans, not an int")]
    [InlineData("requests && true", "'&&' needs booleans, not an int")]
    [InlineData("requests == true", "cannot compare an int with a boolean")]
    [InlineData("size(requests) > 1", "'size(' is not supported")]
    [InlineData("counts.requests > 1", "'counts.' is not supported")]
    [InlineData("requests > 1.5", "'1.' is not an integer literal")]
    [InlineData("requests > 5u", "'5u' is not an integer literal")]
    [InlineData("requests > 99999999999999999999", "out of the int64 range")]
    [InlineData("requests > 1 ? true : false", "unexpected '?")]
    [InlineData("requests > 'a'", "unexpected ''a''")]
    public void Parse_bad_expression_throws_naming_expression_and_problem(string expression, string problem)
    {
        var error = Assert.Throws<FormatException>(() => TripExpression.Parse(expression));

        Assert.Contains($"'{expression}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_is_more_than_five_consecutive_failures()
    {
        Assert.Equal("consecutiveFailures > 5", TripExpression.Default.Text);
        Assert.False(TripExpression.Default.ShouldTrip(new BreakerCounts(5, 0, 5, 0, 5)));
        Assert.True(TripExpression.Default.ShouldTrip(new BreakerCounts(6, 0, 6, 0, 6)));
    }
}
