using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprShop.Sidecar.Expressions;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// A routing rule's <c>match</c>: the subset of CEL (which daprd evaluates with variable
/// <c>event</c>, the CloudEvent) that routing rules use in practice: fields of the event
/// (<c>event.type</c>, <c>event.data.customer.tier</c>), string, number, <c>true</c>/<c>false</c>
/// and <c>null</c> literals, <c>==</c>, <c>!=</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and
/// parentheses. Anything else is refused when the subscription loads. As in CEL, a missing field is
/// an evaluation error, which <c>&amp;&amp;</c> and <c>||</c> absorb when the other side decides
/// the result (<c>false &amp;&amp; error</c> is false, <c>true || error</c> is true), and values of
/// different types are unequal.
/// </summary>
public sealed class RouteExpression
{
    private readonly CelNode<JsonObject, Result> _root;

    private RouteExpression(string text, CelNode<JsonObject, Result> root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <exception cref="FormatException">The expression is outside the supported subset; the message says where.</exception>
    public static RouteExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RouteExpression(text, new Parser(text).ParseAll());
    }

    /// <summary>Evaluates the expression against an event.</summary>
    /// <exception cref="InvalidOperationException">The expression cannot be evaluated for this event (a missing field, a non-boolean result).</exception>
    public bool Evaluate(JsonObject cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var result = _root.Evaluate(cloudEvent);
        return result.Error is null ? result.Value : throw new InvalidOperationException($"cannot evaluate '{Text}': {result.Error}");
    }

    private readonly record struct Result(bool Value, string? Error) : ICelTruth<Result>
    {
        public bool? Truth => Error is null ? Value : null;

        public static Result Of(bool value) => new(value, null);

        public static Result Fail(string error) => new(false, error);
    }

    private sealed class ComparisonNode(Operand left, Operand right, bool equal) : CelNode<JsonObject, Result>
    {
        public override Result Evaluate(JsonObject context)
        {
            if (!left.TryResolve(context, out var l, out var error) || !right.TryResolve(context, out var r, out error))
            {
                return Result.Fail(error);
            }

            return Result.Of(AreEqual(l, r) == equal);
        }

        private static bool AreEqual(JsonNode? left, JsonNode? right)
        {
            if (left is null || right is null)
            {
                return left is null && right is null;
            }

            if (left is JsonValue lv && right is JsonValue rv)
            {
                var lk = lv.GetValueKind();
                var rk = rv.GetValueKind();
                if (lk == JsonValueKind.Number && rk == JsonValueKind.Number)
                {
                    return lv.GetValue<double>() == rv.GetValue<double>();
                }

                if (lk == JsonValueKind.String && rk == JsonValueKind.String)
                {
                    return string.Equals(lv.GetValue<string>(), rv.GetValue<string>(), StringComparison.Ordinal);
                }

                return IsBool(lk) && IsBool(rk) && lk == rk;
            }

            return JsonNode.DeepEquals(left, right);
        }

        private static bool IsBool(JsonValueKind kind) => kind is JsonValueKind.True or JsonValueKind.False;
    }

    /// <summary>A field or literal standing alone, which must be a boolean.</summary>
    private sealed class TruthNode(Operand operand) : CelNode<JsonObject, Result>
    {
        public override Result Evaluate(JsonObject context)
        {
            if (!operand.TryResolve(context, out var value, out var error))
            {
                return Result.Fail(error);
            }

            return value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                ? Result.Of(v.GetValueKind() == JsonValueKind.True)
                : Result.Fail($"'{operand}' is not a boolean");
        }
    }

    private abstract class Operand
    {
        public abstract bool TryResolve(JsonObject cloudEvent, out JsonNode? value, out string error);
    }

    private sealed class FieldOperand(IReadOnlyList<string> path) : Operand
    {
        public override bool TryResolve(JsonObject cloudEvent, out JsonNode? value, out string error)
        {
            JsonNode? current = cloudEvent;
            foreach (var name in path)
            {
                if (current is not JsonObject json || !json.TryGetPropertyValue(name, out var next))
                {
                    value = null;
                    error = $"no such key: {name}";
                    return false;
                }

                current = next;
            }

            value = current;
            error = string.Empty;
            return true;
        }

        public override string ToString() => "event." + string.Join('.', path);
    }

    private sealed class LiteralOperand(JsonNode? value, string text) : Operand
    {
        public override bool TryResolve(JsonObject cloudEvent, out JsonNode? resolved, out string error)
        {
            resolved = value;
            error = string.Empty;
            return true;
        }

        public override string ToString() => text;
    }

    /// <summary>
    /// <c>||</c> and <c>&amp;&amp;</c> come from <see cref="CelParser{TNode}"/>; below them a
    /// condition is <c>!</c> condition, a parenthesized expression, or an operand compared with
    /// <c>==</c> or <c>!=</c> (or standing alone). So <c>!</c> here negates a whole comparison
    /// (<c>!event.x == 1</c> is <c>!(event.x == 1)</c>), where a trip's <c>!</c> binds to its
    /// operand as in CEL.
    /// </summary>
    private sealed class Parser(string text) : CelParser<CelNode<JsonObject, Result>>(new CelScanner(text, Describe))
    {
        private const string Supported =
            "supported: event.<field> paths, string/number/true/false/null literals, ==, !=, &&, ||, ! and parentheses";

        protected override CelNode<JsonObject, Result> Or(CelNode<JsonObject, Result> left, CelNode<JsonObject, Result> right) =>
            CelLogic.Or(left, right);

        protected override CelNode<JsonObject, Result> And(CelNode<JsonObject, Result> left, CelNode<JsonObject, Result> right) =>
            CelLogic.And(left, right);

        protected override CelNode<JsonObject, Result> Not(CelNode<JsonObject, Result> operand) => CelLogic.Not(operand);

        protected override FormatException MissingClosingParenthesis() => Scanner.Error("missing ')'");

        protected override FormatException TrailingText() => Scanner.Error($"unexpected '{Scanner.Rest}'");

        protected override CelNode<JsonObject, Result> ParseRelation()
        {
            if (TryParseNot(ParseRelation, out var not))
            {
                return not;
            }

            if (TryParseParenthesized(out var inner))
            {
                return inner;
            }

            var left = ParseOperand();
            if (Scanner.TryTake("=="))
            {
                return new ComparisonNode(left, ParseOperand(), equal: true);
            }

            if (Scanner.TryTake("!="))
            {
                return new ComparisonNode(left, ParseOperand(), equal: false);
            }

            if (left is LiteralOperand literal && literal.ToString() is not ("true" or "false"))
            {
                throw Scanner.Error($"'{literal}' is not a condition");
            }

            return new TruthNode(left);
        }

        private static string Describe(string text, int position, string problem) =>
            $"unsupported match expression '{text}' at position {position}: {problem} ({Supported})";

        private Operand ParseOperand()
        {
            Scanner.SkipSpace();
            var c = Scanner.Peek();
            if (c is '"' or '\'')
            {
                return ParseString(c);
            }

            if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Scanner.Peek(1))))
            {
                return ParseNumber();
            }

            var start = Scanner.Position;
            var word = Scanner.ReadIdentifier();
            switch (word)
            {
                case "true":
                    return new LiteralOperand(JsonValue.Create(true), word);
                case "false":
                    return new LiteralOperand(JsonValue.Create(false), word);
                case "null":
                    return new LiteralOperand(null, word);
                case "event":
                    break;
                case "":
                    throw Scanner.Error(Scanner.AtEnd ? "unexpected end of expression" : $"unexpected '{Scanner.Peek()}'");
                default:
                    Scanner.MoveTo(start);
                    throw Scanner.Error($"unknown name '{word}' (only 'event' is defined)");
            }

            var path = new List<string>();
            while (Scanner.Peek() == '.')
            {
                Scanner.Advance();
                var name = Scanner.ReadIdentifier();
                if (name.Length == 0)
                {
                    throw Scanner.Error("a field name must follow '.'");
                }

                path.Add(name);
            }

            if (path.Count == 0)
            {
                throw Scanner.Error("'event' must be followed by a field, such as event.type");
            }

            if (Scanner.Peek() is '(' or '[')
            {
                throw Scanner.Error("function calls and indexing are not supported");
            }

            return new FieldOperand(path);
        }

        private LiteralOperand ParseString(char quote)
        {
            var start = Scanner.Position;
            Scanner.Advance();
            var value = new StringBuilder();
            while (!Scanner.AtEnd && Scanner.Peek() != quote)
            {
                var c = Scanner.Peek();
                Scanner.Advance();
                if (c == '\\' && !Scanner.AtEnd)
                {
                    var escaped = Scanner.Peek();
                    Scanner.Advance();
                    value.Append(escaped switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => escaped,
                    });
                }
                else
                {
                    value.Append(c);
                }
            }

            if (Scanner.AtEnd)
            {
                Scanner.MoveTo(start);
                throw Scanner.Error("unterminated string");
            }

            Scanner.Advance();
            return new LiteralOperand(JsonValue.Create(value.ToString()), Scanner.Since(start));
        }

        private LiteralOperand ParseNumber()
        {
            var start = Scanner.Position;
            if (Scanner.Peek() == '-')
            {
                Scanner.Advance();
            }

            Scanner.TakeWhile(c => char.IsAsciiDigit(c) || c == '.');
            var literal = Scanner.Since(start);
            if (!double.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                Scanner.MoveTo(start);
                throw Scanner.Error($"'{literal}' is not a number");
            }

            return new LiteralOperand(JsonValue.Create(number), literal);
        }
    }
}
