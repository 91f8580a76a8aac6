namespace DaprShop.ServiceDefaults.State;

/// <summary>An optimistic update lost to concurrent writers more often than it was allowed to retry.</summary>
public sealed class StateConcurrencyException : Exception
{
    public StateConcurrencyException()
    {
    }

    public StateConcurrencyException(string message)
        : base(message)
    {
    }

    public StateConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static StateConcurrencyException For(string key, int attempts) =>
        new($"State '{key}' kept changing under concurrent writers; gave up after {attempts} attempts.");
}
