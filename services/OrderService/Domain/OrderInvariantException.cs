namespace OrderService.Domain;

/// <summary>
/// A command or an event that the order's current state does not allow, beyond the status rules of
/// <see cref="OrderTransitionException"/>: a second capture, a confirmation without a capture, an event out of sequence.
/// </summary>
public sealed class OrderInvariantException : Exception
{
    public OrderInvariantException()
    {
    }

    public OrderInvariantException(string message)
        : base(message)
    {
    }

    public OrderInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
