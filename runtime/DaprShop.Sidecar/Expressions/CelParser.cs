using System.Diagnostics.CodeAnalysis;

namespace DaprShop.Sidecar.Expressions;

/// <summary>
/// Recursive descent for CEL's boolean layer, which every subset the sidecar parses shares:
/// <c>||</c> binds loosest, then <c>&amp;&amp;</c>, both left to right, then whatever
/// <see cref="ParseRelation"/> parses. A language places <c>!</c> (<see cref="TryParseNot"/>) and
/// parentheses (<see cref="TryParseParenthesized"/>) where its own grammar has them, builds the
/// nodes (with <see cref="CelLogic"/>, type-checking them first if it has types) and words the
/// errors.
/// </summary>
internal abstract class CelParser<TNode>(CelScanner scanner)
{
    protected CelScanner Scanner { get; } = scanner;

    /// <summary>Parses the whole text: one expression and nothing after it.</summary>
    public TNode ParseAll()
    {
        var root = ParseOr();
        Scanner.SkipSpace();
        return Scanner.AtEnd ? root : throw TrailingText();
    }

    protected TNode ParseOr()
    {
        var left = ParseAnd();
        while (Scanner.TryTake("||"))
        {
            left = Or(left, ParseAnd());
        }

        return left;
    }

    protected TNode ParseAnd()
    {
        var left = ParseRelation();
        while (Scanner.TryTake("&&"))
        {
            left = And(left, ParseRelation());
        }

        return left;
    }

    /// <summary>Parses <c>( expression )</c> if the text goes on with <c>(</c>.</summary>
    protected bool TryParseParenthesized([MaybeNullWhen(false)] out TNode inner)
    {
        if (!Scanner.TryTake("("))
        {
            inner = default;
            return false;
        }

        inner = ParseOr();
        if (!Scanner.TryTake(")"))
        {
            throw MissingClosingParenthesis();
        }

        return true;
    }

    /// <summary>Parses <c>! operand</c> if the text goes on with a <c>!</c> (not <c>!=</c>), <paramref name="parseOperand"/> saying how tightly it binds.</summary>
    protected bool TryParseNot(Func<TNode> parseOperand, [MaybeNullWhen(false)] out TNode not)
    {
        if (!Scanner.TryTakeNot())
        {
            not = default;
            return false;
        }

        not = Not(parseOperand());
        return true;
    }

    /// <summary>What <c>&amp;&amp;</c> joins: everything that binds tighter than it.</summary>
    protected abstract TNode ParseRelation();

    protected abstract TNode Or(TNode left, TNode right);

    protected abstract TNode And(TNode left, TNode right);

    protected abstract TNode Not(TNode operand);

    /// <summary>The error when a parenthesized expression is not followed by <c>)</c>, the scanner past the white space after it.</summary>
    protected abstract FormatException MissingClosingParenthesis();

    /// <summary>The error when text is left after the expression, the scanner at its start.</summary>
    protected abstract FormatException TrailingText();
}
