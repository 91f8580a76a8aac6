using System.Globalization;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// A circuit breaker's <c>trip</c> condition, parsed once at start-up and evaluated after each
/// failure in the closed state. daprd compiles <c>trip</c> as a CEL expression (dapr/dapr
/// <c>pkg/expr/expr.go</c>) over the int counters <c>requests</c>, <c>totalSuccesses</c>,
/// <c>totalFailures</c>, <c>consecutiveSuccesses</c> and <c>consecutiveFailures</c>
/// (<c>pkg/resiliency/breaker/circuitbreaker.go</c>). This is the CEL subset those counters need:
/// integer literals, <c>true</c>/<c>false</c>, <c>+ - * / %</c>, unary <c>-</c> and <c>!</c>,
/// <c>== != &lt; &lt;= &gt; &gt;=</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses, with CEL's
/// precedence and its int64 arithmetic. It is type-checked when parsed: an unknown name, a type
/// mismatch or a result that is not a boolean is a <see cref="FormatException"/>.
/// </summary>
/// <remarks>
/// As in daprd, an evaluation error (division by zero, overflow) does not trip the breaker. CEL's
/// <c>&amp;&amp;</c> and <c>||</c> absorb errors: <c>false &amp;&amp; error</c> is false and
/// <c>true || error</c> is true.
/// </remarks>
public sealed class TripExpression
{
    /// <summary>daprd's (gobreaker's) trip when a policy gives none.</summary>
    public const string DefaultText = "consecutiveFailures > 5";

    /// <summary>The counters a trip expression may name.</summary>
    public static readonly IReadOnlyList<string> Counters =
        ["requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures"];

    private readonly Node _root;

    private TripExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public static TripExpression Default { get; } = Parse(DefaultText);

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    public static TripExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var root = parser.ParseAll();
        if (root.Type != ValueType.Bool)
        {
            throw new FormatException($"'{text}' is not a boolean expression: it computes an int");
        }

        return new TripExpression(text, root);
    }

    /// <summary>Whether the breaker should open with these counts; false when the expression cannot be evaluated.</summary>
    public bool ShouldTrip(BreakerCounts counts) => _root.Evaluate(counts) is { Error: false, Bool: true };

    public override string ToString() => Text;

    private enum ValueType
    {
        Int,
        Bool,
    }

    /// <summary>An evaluated value: an int64, a bool, or an error (CEL's error value).</summary>
    private readonly record struct Value(long Int, bool Bool, bool Error)
    {
        public static Value Failed { get; } = new(0, false, true);

        public static Value Of(long value) => new(value, false, false);

        public static Value Of(bool value) => new(0, value, false);
    }

    private abstract class Node(ValueType type)
    {
        public ValueType Type { get; } = type;

        public abstract Value Evaluate(BreakerCounts counts);
    }

    private sealed class Literal(Value value, ValueType type) : Node(type)
    {
        public override Value Evaluate(BreakerCounts counts) => value;
    }

    private sealed class Counter(string name) : Node(ValueType.Int)
    {
        private readonly Func<BreakerCounts, long> _read = name switch
        {
            "requests" => c => c.Requests,
            "totalSuccesses" => c => c.TotalSuccesses,
            "totalFailures" => c => c.TotalFailures,
            "consecutiveSuccesses" => c => c.ConsecutiveSuccesses,
            _ => c => c.ConsecutiveFailures,
        };

        public override Value Evaluate(BreakerCounts counts) => Value.Of(_read(counts));
    }

    private sealed class Not(Node operand) : Node(ValueType.Bool)
    {
        public override Value Evaluate(BreakerCounts counts) =>
            operand.Evaluate(counts) is { Error: false } v ? Value.Of(!v.Bool) : Value.Failed;
    }

    private sealed class Negate(Node operand) : Node(ValueType.Int)
    {
        public override Value Evaluate(BreakerCounts counts) =>
            operand.Evaluate(counts) is { Error: false, Int: not long.MinValue } v ? Value.Of(-v.Int) : Value.Failed;
    }

    private sealed class Logical(string op, Node left, Node right) : Node(ValueType.Bool)
    {
        public override Value Evaluate(BreakerCounts counts)
        {
            var l = left.Evaluate(counts);
            var r = right.Evaluate(counts);
            var absorbing = op == "||";

            // CEL: the absorbing value on either side wins, even over an error on the other.
            if ((!l.Error && l.Bool == absorbing) || (!r.Error && r.Bool == absorbing))
            {
                return Value.Of(absorbing);
            }

            return l.Error || r.Error ? Value.Failed : Value.Of(!absorbing);
        }
    }

    private sealed class Comparison(string op, Node left, Node right) : Node(ValueType.Bool)
    {
        public override Value Evaluate(BreakerCounts counts)
        {
            var l = left.Evaluate(counts);
            var r = right.Evaluate(counts);
            if (l.Error || r.Error)
            {
                return Value.Failed;
            }

            if (left.Type == ValueType.Bool)
            {
                return Value.Of(op == "==" ? l.Bool == r.Bool : l.Bool != r.Bool);
            }

            return Value.Of(op switch
            {
                "==" => l.Int == r.Int,
                "!=" => l.Int != r.Int,
                "<" => l.Int < r.Int,
                "<=" => l.Int <= r.Int,
                ">" => l.Int > r.Int,
                _ => l.Int >= r.Int,
            });
        }
    }

    private sealed class Arithmetic(char op, Node left, Node right) : Node(ValueType.Int)
    {
        public override Value Evaluate(BreakerCounts counts)
        {
            var l = left.Evaluate(counts);
            var r = right.Evaluate(counts);
            if (l.Error || r.Error)
            {
                return Value.Failed;
            }

            try
            {
                return op switch
                {
                    '+' => Value.Of(checked(l.Int + r.Int)),
                    '-' => Value.Of(checked(l.Int - r.Int)),
                    '*' => Value.Of(checked(l.Int * r.Int)),
                    '/' => r.Int == 0 || (l.Int == long.MinValue && r.Int == -1) ? Value.Failed : Value.Of(l.Int / r.Int),
                    _ => r.Int == 0 || (l.Int == long.MinValue && r.Int == -1) ? Value.Failed : Value.Of(l.Int % r.Int),
                };
            }
            catch (OverflowException)
            {
                return Value.Failed;
            }
        }
    }

    /// <summary>
    /// Recursive descent with CEL's precedence, lowest first: <c>||</c>, <c>&amp;&amp;</c>,
    /// relations, <c>+ -</c>, <c>* / %</c>, unary <c>! -</c>.
    /// </summary>
    private sealed class Parser(string text)
    {
        private int _position;

        public Node ParseAll()
        {
            SkipSpace();
            if (_position == text.Length)
            {
                throw Error("is empty");
            }

            var node = ParseOr();
            SkipSpace();
            if (_position < text.Length)
            {
                throw Unexpected();
            }

            return node;
        }

        private Node ParseOr()
        {
            var left = ParseAnd();
            while (TryTake("||"))
            {
                var right = ParseAnd();
                left = new Logical("||", RequireBool(left, "||"), RequireBool(right, "||"));
            }

            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseRelation();
            while (TryTake("&&"))
            {
                var right = ParseRelation();
                left = new Logical("&&", RequireBool(left, "&&"), RequireBool(right, "&&"));
            }

            return left;
        }

        private Node ParseRelation()
        {
            var left = ParseAdditive();
            while (TryTakeRelation(out var op))
            {
                var right = ParseAdditive();
                if (op is "==" or "!=")
                {
                    if (left.Type != right.Type)
                    {
                        throw Error($"cannot compare {Describe(left.Type)} with {Describe(right.Type)} using '{op}'");
                    }
                }
                else
                {
                    RequireInt(left, op);
                    RequireInt(right, op);
                }

                left = new Comparison(op, left, right);
            }

            return left;
        }

        private Node ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (TryTakeOne("+-", out var op))
            {
                var right = ParseMultiplicative();
                left = new Arithmetic(op, RequireInt(left, op.ToString()), RequireInt(right, op.ToString()));
            }

            return left;
        }

        private Node ParseMultiplicative()
        {
            var left = ParseUnary();
            while (TryTakeOne("*/%", out var op))
            {
                var right = ParseUnary();
                left = new Arithmetic(op, RequireInt(left, op.ToString()), RequireInt(right, op.ToString()));
            }

            return left;
        }

        private Node ParseUnary()
        {
            SkipSpace();
            if (Peek() == '!' && Peek(1) != '=')
            {
                _position++;
                return new Not(RequireBool(ParseUnary(), "!"));
            }

            if (Peek() == '-')
            {
                _position++;
                SkipSpace();
                if (char.IsAsciiDigit(Peek()))
                {
                    return ParseInteger(negative: true);
                }

                return new Negate(RequireInt(ParseUnary(), "-"));
            }

            return ParsePrimary();
        }

        private Node ParsePrimary()
        {
            SkipSpace();
            var c = Peek();
            if (c == '(')
            {
                _position++;
                var inner = ParseOr();
                if (!TryTake(")"))
                {
                    throw _position >= text.Length ? Error("is missing a closing ')'") : Unexpected();
                }

                return inner;
            }

            if (char.IsAsciiDigit(c))
            {
                return ParseInteger(negative: false);
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _position;
                while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
                {
                    _position++;
                }

                var name = text[start.._position];
                SkipSpace();
                if (Peek() is '(' or '.')
                {
                    throw Error($"'{name}{Peek()}' is not supported: only the counters, integers, arithmetic, comparisons, '&&', '||' and '!' are");
                }

                return name switch
                {
                    "true" => new Literal(Value.Of(true), ValueType.Bool),
                    "false" => new Literal(Value.Of(false), ValueType.Bool),
                    _ when Counters.Contains(name) => new Counter(name),
                    _ => throw Error($"unknown name '{name}' (the counters are {string.Join(", ", Counters)})"),
                };
            }

            throw _position >= text.Length ? Error("ends where a value is expected") : Unexpected();
        }

        private Literal ParseInteger(bool negative)
        {
            var start = _position;
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }

            if (_position < text.Length && (char.IsAsciiLetter(text[_position]) || text[_position] == '.'))
            {
                throw Error($"'{text[start..(_position + 1)]}' is not an integer literal");
            }

            var digits = (negative ? "-" : string.Empty) + text[start.._position];
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw Error($"integer literal {digits} is out of the int64 range");
            }

            return new Literal(Value.Of(value), ValueType.Int);
        }

        private Node RequireBool(Node node, string op) =>
            node.Type == ValueType.Bool ? node : throw Error($"'{op}' needs booleans, not an int");

        private Node RequireInt(Node node, string op) =>
            node.Type == ValueType.Int ? node : throw Error($"'{op}' needs ints, not a boolean");

        private static string Describe(ValueType type) => type == ValueType.Int ? "an int" : "a boolean";

        private bool TryTakeRelation(out string op)
        {
            SkipSpace();
            foreach (var candidate in (string[])["==", "!=", "<=", ">=", "<", ">"])
            {
                if (string.CompareOrdinal(text, _position, candidate, 0, candidate.Length) == 0)
                {
                    _position += candidate.Length;
                    op = candidate;
                    return true;
                }
            }

            if (Peek() == '=')
            {
                throw Error($"'=' at position {_position + 1} is not an operator (comparison is '==')");
            }

            op = string.Empty;
            return false;
        }

        private bool TryTakeOne(string ops, out char op)
        {
            SkipSpace();
            op = Peek();
            if (op != '\0' && ops.Contains(op, StringComparison.Ordinal))
            {
                _position++;
                return true;
            }

            return false;
        }

        private bool TryTake(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _position, token, 0, token.Length) == 0)
            {
                _position += token.Length;
                return true;
            }

            return false;
        }

        private char Peek(int ahead = 0) => _position + ahead < text.Length ? text[_position + ahead] : '\0';

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private FormatException Unexpected()
        {
            var rest = text[_position..];
            var token = rest.Length > 10 ? rest[..10] + "..." : rest;
            return Error($"unexpected '{token}' at position {_position + 1}");
        }

        private FormatException Error(string problem) => new($"'{text}' {problem}");
    }
}
