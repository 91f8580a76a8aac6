namespace DaprShop.Sidecar.Expressions;

/// <summary>
/// CEL's logical operators over any language's values. <c>&amp;&amp;</c> and <c>||</c> absorb
/// errors: the deciding value on either side wins even over an error on the other
/// (<c>false &amp;&amp; error</c> and <c>error &amp;&amp; false</c> are false,
/// <c>true || error</c> and <c>error || true</c> are true); otherwise an error on the left, then on
/// the right, is the result. The right side is not evaluated when the left decides. <c>!</c> passes
/// an error on.
/// </summary>
internal static class CelLogic
{
    public static CelNode<TContext, TValue> And<TContext, TValue>(CelNode<TContext, TValue> left, CelNode<TContext, TValue> right)
        where TValue : ICelTruth<TValue> =>
        new Junction<TContext, TValue>(decidingValue: false, left, right);

    public static CelNode<TContext, TValue> Or<TContext, TValue>(CelNode<TContext, TValue> left, CelNode<TContext, TValue> right)
        where TValue : ICelTruth<TValue> =>
        new Junction<TContext, TValue>(decidingValue: true, left, right);

    public static CelNode<TContext, TValue> Not<TContext, TValue>(CelNode<TContext, TValue> operand)
        where TValue : ICelTruth<TValue> =>
        new Negation<TContext, TValue>(operand);

    /// <summary><c>&amp;&amp;</c> (decided by false) or <c>||</c> (decided by true).</summary>
    private sealed class Junction<TContext, TValue>(bool decidingValue, CelNode<TContext, TValue> left, CelNode<TContext, TValue> right)
        : CelNode<TContext, TValue>
        where TValue : ICelTruth<TValue>
    {
        public override TValue Evaluate(TContext context)
        {
            var l = left.Evaluate(context);
            if (l.Truth == decidingValue)
            {
                return l;
            }

            var r = right.Evaluate(context);
            if (r.Truth == decidingValue)
            {
                return r;
            }

            return l.Truth is null ? l : r;
        }
    }

    private sealed class Negation<TContext, TValue>(CelNode<TContext, TValue> operand) : CelNode<TContext, TValue>
        where TValue : ICelTruth<TValue>
    {
        public override TValue Evaluate(TContext context)
        {
            var value = operand.Evaluate(context);
            return value.Truth is { } truth ? TValue.Of(!truth) : value;
        }
    }
}
