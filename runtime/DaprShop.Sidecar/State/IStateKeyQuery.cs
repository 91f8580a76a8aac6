namespace DaprShop.Sidecar.State;

/// <summary>
/// A state store that lists its live items by stored-key prefix. Not part of daprd's state API: the
/// sidecar's own bookkeeping in a store (actor reminders, outbox messages) uses it to find its rows
/// again after a restart.
/// </summary>
public interface IStateKeyQuery
{
    /// <summary>Every live item whose stored key starts with <paramref name="prefix"/> (ordinal), in key order.</summary>
    Task<IReadOnlyList<KeyValuePair<string, StateEntry>>> QueryByPrefixAsync(string prefix, CancellationToken cancellationToken);
}
