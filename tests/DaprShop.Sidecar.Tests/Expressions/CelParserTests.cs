using DaprShop.Sidecar.Expressions;

namespace DaprShop.Sidecar.Tests.Expressions;

/// <summary>
/// The boolean layer shared by trip and route expressions, through a toy language whose only
/// relations are names: <see cref="ShapeParser"/> prints the tree it parses, <see cref="Truths"/>
/// evaluates it with names that are true, false or (any other) an error.
/// </summary>
public sealed class CelParserTests
{
    [Theory]
    [InlineData("a || b && c", "(a || (b && c))")]
    [InlineData("a && b || c", "((a && b) || c)")]
    [InlineData("a || b && c || d", "((a || (b && c)) || d)")]
    [InlineData("a || b || c", "((a || b) || c)")]
    [InlineData("a && b && c", "((a && b) && c)")]
    [InlineData("(a || b) && c", "((a || b) && c)")]
    [InlineData("!a && b", "(!a && b)")]
    [InlineData("!(a || b)", "!(a || b)")]
    [InlineData("!!a", "!!a")]
    [InlineData(" ( ( a ) ) ", "a")]
    [InlineData("a&&b||c", "((a && b) || c)")]
    public void ParseAll_and_binds_tighter_than_or_both_left_to_right(string text, string shape)
    {
        Assert.Equal(shape, new ShapeParser(text).ParseAll());
    }

    [Theory]
    [InlineData("(a || b", "'(a || b' at 8: missing ')'")]
    [InlineData("(a || b  ", "'(a || b  ' at 10: missing ')'")]
    [InlineData("(a b)", "'(a b)' at 4: missing ')'")]
    [InlineData("a b", "'a b' at 3: unexpected 'b'")]
    [InlineData("a & b", "'a & b' at 3: unexpected '& b'")]
    [InlineData("a)", "'a)' at 2: unexpected ')'")]
    [InlineData("a && ", "'a && ' at 6: a name is expected")]
    [InlineData("a || !", "'a || !' at 7: a name is expected")]
    [InlineData("", "'' at 1: a name is expected")]
    public void ParseAll_bad_text_throws_the_language_error_at_its_position(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => new ShapeParser(text).ParseAll());

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("false && oops", "false")]
    [InlineData("oops && false", "false")]
    [InlineData("true || oops", "true")]
    [InlineData("oops || true", "true")]
    [InlineData("true && oops", "error oops")]
    [InlineData("oops && true", "error oops")]
    [InlineData("false || oops", "error oops")]
    [InlineData("oops || false", "error oops")]
    [InlineData("oops && other", "error oops")]
    [InlineData("oops || other", "error oops")]
    [InlineData("!oops", "error oops")]
    [InlineData("!(false && oops)", "true")]
    [InlineData("(oops || true) && (false || oops)", "error oops")]
    [InlineData("oops && true || true", "true")]
    [InlineData("true && true", "true")]
    [InlineData("false || false", "false")]
    public void Evaluate_and_or_absorb_an_error_when_the_other_side_decides(string text, string expected)
    {
        Assert.Equal(expected, Truths.Evaluate(text, out _));
    }

    [Theory]
    [InlineData("true || false && false", "true")]
    [InlineData("(true || false) && false", "false")]
    [InlineData("false && false || true", "true")]
    [InlineData("false && (false || true)", "false")]
    public void Evaluate_follows_the_precedence_parsed(string text, string expected)
    {
        Assert.Equal(expected, Truths.Evaluate(text, out _));
    }

    [Theory]
    [InlineData("false && a", "false")]
    [InlineData("true || a", "true")]
    [InlineData("oops && false", "oops false")]
    [InlineData("true && false", "true false")]
    public void Evaluate_right_side_only_when_the_left_does_not_decide(string text, string looked)
    {
        Truths.Evaluate(text, out var lookups);

        Assert.Equal(looked, string.Join(' ', lookups));
    }

    private static CelScanner NewScanner(string text) => new(text, (expression, position, problem) => $"'{expression}' at {position}: {problem}");

    /// <summary>Parses to a string that shows the tree.</summary>
    private sealed class ShapeParser(string text) : CelParser<string>(NewScanner(text))
    {
        protected override string ParseRelation()
        {
            if (TryParseNot(ParseRelation, out var not))
            {
                return not;
            }

            if (TryParseParenthesized(out var inner))
            {
                return inner;
            }

            var name = Scanner.ReadIdentifier();
            return name.Length > 0 ? name : throw Scanner.Error("a name is expected");
        }

        protected override string Or(string left, string right) => $"({left} || {right})";

        protected override string And(string left, string right) => $"({left} && {right})";

        protected override string Not(string operand) => "!" + operand;

        protected override FormatException MissingClosingParenthesis() => Scanner.Error("missing ')'");

        protected override FormatException TrailingText() => Scanner.Error($"unexpected '{Scanner.Rest}'");
    }

    /// <summary>A toy value: a boolean, or an error naming what could not be found.</summary>
    private readonly record struct Outcome(bool Value, string? Error) : ICelTruth<Outcome>
    {
        public bool? Truth => Error is null ? Value : null;

        public static Outcome Of(bool value) => new(value, null);

        public override string ToString() => Error is null ? (Value ? "true" : "false") : "error " + Error;
    }

    /// <summary>Names as values: <c>true</c> and <c>false</c> are, anything else is an error; each lookup is recorded.</summary>
    private sealed class Name(string name) : CelNode<List<string>, Outcome>
    {
        public override Outcome Evaluate(List<string> context)
        {
            context.Add(name);
            return name switch
            {
                "true" => Outcome.Of(true),
                "false" => Outcome.Of(false),
                _ => new Outcome(false, name),
            };
        }
    }

    private sealed class Truths(string text) : CelParser<CelNode<List<string>, Outcome>>(NewScanner(text))
    {
        public static string Evaluate(string text, out List<string> lookups)
        {
            lookups = [];
            return new Truths(text).ParseAll().Evaluate(lookups).ToString();
        }

        protected override CelNode<List<string>, Outcome> ParseRelation()
        {
            if (TryParseNot(ParseRelation, out var not))
            {
                return not;
            }

            return TryParseParenthesized(out var inner) ? inner : new Name(Scanner.ReadIdentifier());
        }

        protected override CelNode<List<string>, Outcome> Or(CelNode<List<string>, Outcome> left, CelNode<List<string>, Outcome> right) =>
            CelLogic.Or(left, right);

        protected override CelNode<List<string>, Outcome> And(CelNode<List<string>, Outcome> left, CelNode<List<string>, Outcome> right) =>
            CelLogic.And(left, right);

        protected override CelNode<List<string>, Outcome> Not(CelNode<List<string>, Outcome> operand) => CelLogic.Not(operand);

        protected override FormatException MissingClosingParenthesis() => Scanner.Error("missing ')'");

        protected override FormatException TrailingText() => Scanner.Error("unexpected text");
    }
}
