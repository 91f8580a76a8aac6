using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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
    private readonly Node _root;

    private RouteExpression(string text, Node root)
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
        var parser = new Parser(text);
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return new RouteExpression(text, root);
    }

    /// <summary>Evaluates the expression against an event.</summary>
    /// <exception cref="InvalidOperationException">The expression cannot be evaluated for this event (a missing field, a non-boolean result).</exception>
    public bool Evaluate(JsonObject cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var result = _root.Evaluate(cloudEvent);
        return result.Error is null ? result.Value : throw new InvalidOperationException($"cannot evaluate '{Text}': {result.Error}");
    }

    private readonly record struct Result(bool Value, string? Error)
    {
        public static Result Of(bool value) => new(value, null);

        public static Result Fail(string error) => new(false, error);
    }

    private abstract class Node
    {
        public abstract Result Evaluate(JsonObject cloudEvent);
    }

    private sealed class OrNode(Node left, Node right) : Node
    {
        public override Result Evaluate(JsonObject cloudEvent)
        {
            var l = left.Evaluate(cloudEvent);
            if (l is { Error: null, Value: true })
            {
                return l;
            }

            var r = right.Evaluate(cloudEvent);
            if (r is { Error: null, Value: true })
            {
                return r;
            }

            return l.Error is not null ? l : r;
        }
    }

    private sealed class AndNode(Node left, Node right) : Node
    {
        public override Result Evaluate(JsonObject cloudEvent)
        {
            var l = left.Evaluate(cloudEvent);
            if (l is { Error: null, Value: false })
            {
                return l;
            }

            var r = right.Evaluate(cloudEvent);
            if (r is { Error: null, Value: false })
            {
                return r;
            }

            return l.Error is not null ? l : r;
        }
    }

    private sealed class NotNode(Node operand) : Node
    {
        public override Result Evaluate(JsonObject cloudEvent)
        {
            var result = operand.Evaluate(cloudEvent);
            return result.Error is null ? Result.Of(!result.Value) : result;
        }
    }

    private sealed class ComparisonNode(Operand left, Operand right, bool equal) : Node
    {
        public override Result Evaluate(JsonObject cloudEvent)
        {
            if (!left.TryResolve(cloudEvent, out var l, out var error) || !right.TryResolve(cloudEvent, out var r, out error))
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
    private sealed class TruthNode(Operand operand) : Node
    {
        public override Result Evaluate(JsonObject cloudEvent)
        {
            if (!operand.TryResolve(cloudEvent, out var value, out var error))
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

    private sealed class Parser(string text)
    {
        private const string Supported =
            "supported: event.<field> paths, string/number/true/false/null literals, ==, !=, &&, ||, ! and parentheses";

        private int _position;

        public Node ParseExpression()
        {
            var left = ParseAnd();
            while (TryConsume("||"))
            {
                left = new OrNode(left, ParseAnd());
            }

            return left;
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (_position < text.Length)
            {
                throw Error($"unexpected '{text[_position..]}'");
            }
        }

        private Node ParseAnd()
        {
            var left = ParseUnary();
            while (TryConsume("&&"))
            {
                left = new AndNode(left, ParseUnary());
            }

            return left;
        }

        private Node ParseUnary()
        {
            SkipSpaces();
            if (Peek() == '!' && Peek(1) != '=')
            {
                _position++;
                return new NotNode(ParseUnary());
            }

            if (Peek() == '(')
            {
                _position++;
                var inner = ParseExpression();
                if (!TryConsume(")"))
                {
                    throw Error("missing ')'");
                }

                return inner;
            }

            var left = ParseOperand();
            if (TryConsume("=="))
            {
                return new ComparisonNode(left, ParseOperand(), equal: true);
            }

            if (TryConsume("!="))
            {
                return new ComparisonNode(left, ParseOperand(), equal: false);
            }

            if (left is LiteralOperand literal && literal.ToString() is not ("true" or "false"))
            {
                throw Error($"'{literal}' is not a condition");
            }

            return new TruthNode(left);
        }

        private Operand ParseOperand()
        {
            SkipSpaces();
            var c = Peek();
            if (c is '"' or '\'')
            {
                return ParseString(c);
            }

            if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(Peek(1))))
            {
                return ParseNumber();
            }

            var start = _position;
            var word = ReadIdentifier();
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
                    throw Error(_position < text.Length ? $"unexpected '{text[_position]}'" : "unexpected end of expression");
                default:
                    _position = start;
                    throw Error($"unknown name '{word}' (only 'event' is defined)");
            }

            var path = new List<string>();
            while (Peek() == '.')
            {
                _position++;
                var name = ReadIdentifier();
                if (name.Length == 0)
                {
                    throw Error("a field name must follow '.'");
                }

                path.Add(name);
            }

            if (path.Count == 0)
            {
                throw Error("'event' must be followed by a field, such as event.type");
            }

            if (Peek() is '(' or '[')
            {
                throw Error("function calls and indexing are not supported");
            }

            return new FieldOperand(path);
        }

        private LiteralOperand ParseString(char quote)
        {
            var start = _position;
            _position++;
            var value = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                var c = text[_position++];
                if (c == '\\' && _position < text.Length)
                {
                    var escaped = text[_position++];
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

            if (_position >= text.Length)
            {
                _position = start;
                throw Error("unterminated string");
            }

            _position++;
            return new LiteralOperand(JsonValue.Create(value.ToString()), text[start.._position]);
        }

        private LiteralOperand ParseNumber()
        {
            var start = _position;
            if (Peek() == '-')
            {
                _position++;
            }

            while (char.IsAsciiDigit(Peek()) || Peek() == '.')
            {
                _position++;
            }

            var literal = text[start.._position];
            if (!double.TryParse(literal, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                _position = start;
                throw Error($"'{literal}' is not a number");
            }

            return new LiteralOperand(JsonValue.Create(number), literal);
        }

        private string ReadIdentifier()
        {
            SkipSpaces();
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_')
                && (_position > start || !char.IsAsciiDigit(text[_position])))
            {
                _position++;
            }

            return text[start.._position];
        }

        private bool TryConsume(string token)
        {
            SkipSpaces();
            if (string.CompareOrdinal(text, _position, token, 0, token.Length) == 0)
            {
                _position += token.Length;
                return true;
            }

            return false;
        }

        private char Peek(int offset = 0) => _position + offset < text.Length ? text[_position + offset] : '\0';

        private void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private FormatException Error(string problem) =>
            new($"unsupported match expression '{text}' at position {_position + 1}: {problem} ({Supported})");
    }
}
