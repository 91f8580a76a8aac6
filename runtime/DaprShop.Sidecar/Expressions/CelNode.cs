namespace DaprShop.Sidecar.Expressions;

/// <summary>A parsed expression, or part of one, evaluated against a <typeparamref name="TContext"/>.</summary>
internal abstract class CelNode<TContext, TValue>
{
    public abstract TValue Evaluate(TContext context);
}
