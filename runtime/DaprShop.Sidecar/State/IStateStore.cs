namespace DaprShop.Sidecar.State;

/// <summary>
/// A <c>state.*</c> component: the seam every backend implements (<c>state.in-memory</c>,
/// <c>state.sqlite</c>, <c>state.redis</c>; PostgreSQL later). Keys arrive as stored, already prefixed
/// by the state API (<see cref="StateKeyPrefix"/>), so the actor runtime can use the same store
/// with its own key scheme.
/// </summary>
/// <remarks>
/// Every write goes through <see cref="ExecuteAsync"/>, which applies a whole
/// <see cref="StateTransaction"/> atomically: a single save is a transaction of one. A backend
/// checks every ETag and first-write condition before it changes anything, and throws
/// <see cref="StateETagException"/> when one fails. Expired items read as absent and do not
/// satisfy an ETag.
/// </remarks>
public interface IStateStore
{
    StateFeatures Features { get; }

    /// <summary>The live item under <paramref name="key"/>, or null when absent or expired.</summary>
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>One result per key, in the order asked.</summary>
    Task<IReadOnlyList<BulkStateEntry>> BulkGetAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Applies the operations: all or none, except where the backend itself does not (see <see cref="StateTransaction"/>).</summary>
    Task ExecuteAsync(StateTransaction transaction, CancellationToken cancellationToken);
}
