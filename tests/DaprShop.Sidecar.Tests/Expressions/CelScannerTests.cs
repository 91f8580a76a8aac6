using DaprShop.Sidecar.Expressions;

namespace DaprShop.Sidecar.Tests.Expressions;

public sealed class CelScannerTests
{
    [Fact]
    public void Peek_past_the_end_is_nul()
    {
        var scanner = Scanner("ab");

        Assert.Equal('a', scanner.Peek());
        Assert.Equal('b', scanner.Peek(1));
        Assert.Equal('\0', scanner.Peek(2));
    }

    [Fact]
    public void TryTake_skips_white_space_then_takes_only_a_matching_token()
    {
        var scanner = Scanner("  &&\t|| ");

        Assert.False(scanner.TryTake("||"));
        Assert.Equal(2, scanner.Position);
        Assert.True(scanner.TryTake("&&"));
        Assert.True(scanner.TryTake("||"));
        Assert.False(scanner.TryTake("||"));
        Assert.True(scanner.AtEnd);
    }

    [Theory]
    [InlineData("<= 1", "<=")]
    [InlineData("< 1", "<")]
    [InlineData(" >1", ">")]
    public void TryTakeAny_takes_the_first_listed_token_that_matches(string text, string expected)
    {
        var scanner = Scanner(text);

        Assert.True(scanner.TryTakeAny(["<=", "<", ">"], out var token));
        Assert.Equal(expected, token);
        Assert.Equal("1", scanner.Rest.Trim());
    }

    [Fact]
    public void TryTakeAny_without_a_match_takes_nothing()
    {
        var scanner = Scanner("= 1");

        Assert.False(scanner.TryTakeAny(["==", "!="], out var token));
        Assert.Equal(string.Empty, token);
        Assert.Equal("= 1", scanner.Rest);
    }

    [Fact]
    public void TryTakeNot_takes_a_logical_not_but_not_the_start_of_not_equal()
    {
        var not = Scanner(" !a");
        var notEqual = Scanner(" != a");

        Assert.True(not.TryTakeNot());
        Assert.Equal("a", not.Rest);
        Assert.False(notEqual.TryTakeNot());
        Assert.Equal("!= a", notEqual.Rest);
    }

    [Theory]
    [InlineData("  _ab1.c", "_ab1", ".c")]
    [InlineData("event", "event", "")]
    [InlineData("1ab", "", "1ab")]
    [InlineData("'a'", "", "'a'")]
    public void ReadIdentifier_takes_a_letter_or_underscore_then_letters_digits_and_underscores(string text, string identifier, string rest)
    {
        var scanner = Scanner(text);

        Assert.Equal(identifier, scanner.ReadIdentifier());
        Assert.Equal(rest, scanner.Rest);
    }

    [Fact]
    public void TakeWhile_returns_what_it_took_and_Since_the_text_from_a_start()
    {
        var scanner = Scanner("-123u");
        scanner.Advance();

        Assert.Equal("123", scanner.TakeWhile(char.IsAsciiDigit));
        Assert.Equal("-123", scanner.Since(0));
        Assert.Equal('u', scanner.Peek());
    }

    [Fact]
    public void Error_gives_the_format_the_text_the_one_based_position_and_the_problem()
    {
        var scanner = Scanner("a == 'b");
        scanner.Advance(5);

        var error = scanner.Error("unterminated string");

        Assert.Equal("'a == 'b' at 6: unterminated string", error.Message);
    }

    [Fact]
    public void MoveTo_moves_the_position_errors_are_worded_at()
    {
        var scanner = Scanner("size(x)");
        Assert.Equal("size", scanner.ReadIdentifier());

        scanner.MoveTo(0);

        Assert.Equal("'size(x)' at 1: unknown name", scanner.Error("unknown name").Message);
    }

    [Fact]
    public void Advance_and_MoveTo_stop_at_the_end()
    {
        var scanner = Scanner("ab");

        scanner.Advance(5);
        Assert.True(scanner.AtEnd);
        Assert.Equal(2, scanner.Position);
        scanner.MoveTo(-1);
        Assert.Equal(0, scanner.Position);
    }

    private static CelScanner Scanner(string text) => new(text, (expression, position, problem) => $"'{expression}' at {position}: {problem}");
}
