using System.Globalization;
using DaprShop.Sidecar.Expressions;

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
        var root = new Parser(text).ParseWhole();
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
    private readonly record struct Value(long Int, bool Bool, bool Error) : ICelTruth<Value>
    {
        public static Value Failed { get; } = new(0, false, true);

        public bool? Truth => Error ? null : Bool;

        public static Value Of(long value) => new(value, false, false);

        public static Value Of(bool value) => new(0, value, false);
    }

    private abstract class Node(ValueType type) : CelNode<BreakerCounts, Value>
    {
        public ValueType Type { get; } = type;
    }

    private sealed class Literal(Value value, ValueType type) : Node(type)
    {
        public override Value Evaluate(BreakerCounts context) => value;
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

        public override Value Evaluate(BreakerCounts context) => Value.Of(_read(context));
    }

    /// <summary>A boolean built by <see cref="CelLogic"/>: <c>&amp;&amp;</c>, <c>||</c> or <c>!</c>.</summary>
    private sealed class Logical(CelNode<BreakerCounts, Value> logic) : Node(ValueType.Bool)
    {
        public override Value Evaluate(BreakerCounts context) => logic.Evaluate(context);
    }

    private sealed class Negate(Node operand) : Node(ValueType.Int)
    {
        public override Value Evaluate(BreakerCounts context) =>
            operand.Evaluate(context) is { Error: false, Int: not long.MinValue } v ? Value.Of(-v.Int) : Value.Failed;
    }

    private sealed class Comparison(string op, Node left, Node right) : Node(ValueType.Bool)
    {
        public override Value Evaluate(BreakerCounts context)
        {
            var l = left.Evaluate(context);
            var r = right.Evaluate(context);
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

    private sealed class Arithmetic(string op, Node left, Node right) : Node(ValueType.Int)
    {
        public override Value Evaluate(BreakerCounts context)
        {
            var l = left.Evaluate(context);
            var r = right.Evaluate(context);
            if (l.Error || r.Error)
            {
                return Value.Failed;
            }

            try
            {
                return op switch
                {
                    "+" => Value.Of(checked(l.Int + r.Int)),
                    "-" => Value.Of(checked(l.Int - r.Int)),
                    "*" => Value.Of(checked(l.Int * r.Int)),
                    "/" => r.Int == 0 || (l.Int == long.MinValue && r.Int == -1) ? Value.Failed : Value.Of(l.Int / r.Int),
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
    /// Recursive descent with CEL's precedence, lowest first: <c>||</c>, <c>&amp;&amp;</c> (both
    /// from <see cref="CelParser{TNode}"/>), relations, <c>+ -</c>, <c>* / %</c>, unary <c>! -</c>.
    /// </summary>
    private sealed class Parser(string text)
        : CelParser<Node>(new CelScanner(text, (expression, _, problem) => $"'{expression}' {problem}"))
    {
        /// <summary><see cref="CelParser{TNode}.ParseAll"/>, with its own word for a blank text.</summary>
        public Node ParseWhole()
        {
            Scanner.SkipSpace();
            return Scanner.AtEnd ? throw Scanner.Error("is empty") : ParseAll();
        }

        protected override Node Or(Node left, Node right) =>
            new Logical(CelLogic.Or(RequireBool(left, "||"), RequireBool(right, "||")));

        protected override Node And(Node left, Node right) =>
            new Logical(CelLogic.And(RequireBool(left, "&&"), RequireBool(right, "&&")));

        protected override Node Not(Node operand) => new Logical(CelLogic.Not(RequireBool(operand, "!")));

        protected override FormatException MissingClosingParenthesis() =>
            Scanner.AtEnd ? Scanner.Error("is missing a closing ')'") : Unexpected();

        protected override FormatException TrailingText() => Unexpected();

        protected override Node ParseRelation()
        {
            var left = ParseAdditive();
            while (TryTakeRelation(out var op))
            {
                var right = ParseAdditive();
                if (op is "==" or "!=")
                {
                    if (left.Type != right.Type)
                    {
                        throw Scanner.Error($"cannot compare {Describe(left.Type)} with {Describe(right.Type)} using '{op}'");
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
            while (Scanner.TryTakeAny(["+", "-"], out var op))
            {
                var right = ParseMultiplicative();
                left = new Arithmetic(op, RequireInt(left, op), RequireInt(right, op));
            }

            return left;
        }

        private Node ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Scanner.TryTakeAny(["*", "/", "%"], out var op))
            {
                var right = ParseUnary();
                left = new Arithmetic(op, RequireInt(left, op), RequireInt(right, op));
            }

            return left;
        }

        private Node ParseUnary()
        {
            if (TryParseNot(ParseUnary, out var not))
            {
                return not;
            }

            if (Scanner.TryTake("-"))
            {
                Scanner.SkipSpace();
                if (char.IsAsciiDigit(Scanner.Peek()))
                {
                    return ParseInteger(negative: true);
                }

                return new Negate(RequireInt(ParseUnary(), "-"));
            }

            return ParsePrimary();
        }

        private Node ParsePrimary()
        {
            if (TryParseParenthesized(out var inner))
            {
                return inner;
            }

            var c = Scanner.Peek();
            if (char.IsAsciiDigit(c))
            {
                return ParseInteger(negative: false);
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var name = Scanner.ReadIdentifier();
                Scanner.SkipSpace();
                if (Scanner.Peek() is '(' or '.')
                {
                    throw Scanner.Error($"'{name}{Scanner.Peek()}' is not supported: only the counters, integers, arithmetic, comparisons, '&&', '||' and '!' are");
                }

                return name switch
                {
                    "true" => new Literal(Value.Of(true), ValueType.Bool),
                    "false" => new Literal(Value.Of(false), ValueType.Bool),
                    _ when Counters.Contains(name) => new Counter(name),
                    _ => throw Scanner.Error($"unknown name '{name}' (the counters are {string.Join(", ", Counters)})"),
                };
            }

            throw Scanner.AtEnd ? Scanner.Error("ends where a value is expected") : Unexpected();
        }

        private Literal ParseInteger(bool negative)
        {
            var digits = Scanner.TakeWhile(char.IsAsciiDigit);
            if (char.IsAsciiLetter(Scanner.Peek()) || Scanner.Peek() == '.')
            {
                throw Scanner.Error($"'{digits}{Scanner.Peek()}' is not an integer literal");
            }

            var literal = (negative ? "-" : string.Empty) + digits;
            if (!long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw Scanner.Error($"integer literal {literal} is out of the int64 range");
            }

            return new Literal(Value.Of(value), ValueType.Int);
        }

        private Node RequireBool(Node node, string op) =>
            node.Type == ValueType.Bool ? node : throw Scanner.Error($"'{op}' needs booleans, not an int");

        private Node RequireInt(Node node, string op) =>
            node.Type == ValueType.Int ? node : throw Scanner.Error($"'{op}' needs ints, not a boolean");

        private static string Describe(ValueType type) => type == ValueType.Int ? "an int" : "a boolean";

        private bool TryTakeRelation(out string op)
        {
            if (Scanner.TryTakeAny(["==", "!=", "<=", ">=", "<", ">"], out op))
            {
                return true;
            }

            if (Scanner.Peek() == '=')
            {
                throw Scanner.Error($"'=' at position {Scanner.Position + 1} is not an operator (comparison is '==')");
            }

            return false;
        }

        private FormatException Unexpected()
        {
            var rest = Scanner.Rest;
            var token = rest.Length > 10 ? rest[..10] + "..." : rest;
            return Scanner.Error($"unexpected '{token}' at position {Scanner.Position + 1}");
        }
    }
}
