namespace DaprShop.Sidecar.State;

/// <summary>
/// How a write without an ETag treats an existing item: <see cref="LastWrite"/> overwrites it,
/// <see cref="FirstWrite"/> only inserts (an existing live item is an ETag mismatch), as
/// components-contrib's in-memory and SQLite stores do. A write with an ETag is checked against
/// the stored ETag under either mode.
/// </summary>
public enum StateConcurrency
{
    LastWrite,
    FirstWrite,
}

/// <summary>One stored item: its value bytes, its ETag, and when it expires (null: never).</summary>
public sealed record StateEntry(ReadOnlyMemory<byte> Value, string ETag, DateTimeOffset? ExpiresAt);

/// <summary>One key of a bulk read: the entry, null when absent or expired, or the error reading it.</summary>
public sealed record BulkStateEntry(string Key, StateEntry? Entry, string? Error = null);

/// <summary>
/// A write in a state store. In an <see cref="IStateStore"/> and in an
/// <see cref="IStateTransactionInterceptor"/> the key is the stored key (already prefixed).
/// </summary>
public abstract record StateOperation(string Key, string? ETag, StateConcurrency Concurrency)
{
    /// <summary>Whether the write must match a stored ETag (an empty ETag counts as none, as in daprd).</summary>
    public bool HasETag => !string.IsNullOrEmpty(ETag);

    /// <summary>
    /// The operation's request metadata as the app sent it (<c>contentType</c>,
    /// <c>outbox.projection</c>, ...), for <see cref="IStateTransactionInterceptor"/>s; stores ignore it.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Insert or replace one item; <paramref name="Ttl"/> null means it never expires.</summary>
public sealed record StateUpsert(
    string Key,
    ReadOnlyMemory<byte> Value,
    string? ETag = null,
    StateConcurrency Concurrency = StateConcurrency.LastWrite,
    TimeSpan? Ttl = null)
    : StateOperation(Key, ETag, Concurrency)
{
    /// <summary>
    /// Whether daprd would hand the store a decoded JSON value rather than bytes: values of the HTTP state and actor
    /// state APIs, and of gRPC <c>SaveState</c> items whose metadata says <c>contentType: application/json</c>
    /// (dapr/dapr <c>pkg/api/grpc/grpc.go</c>, <c>pkg/api/http/http.go</c>). gRPC transactions carry bytes. Stores
    /// that keep JSON and bytes apart (<c>state.postgresql</c> v1: <c>jsonb</c> or base64 with <c>isbinary</c>) follow
    /// it; <see cref="Value"/> then holds the JSON text.
    /// </summary>
    public bool IsJson { get; init; }
}

/// <summary>Remove one item; with an ETag, only when it still matches.</summary>
public sealed record StateDelete(
    string Key,
    string? ETag = null,
    StateConcurrency Concurrency = StateConcurrency.LastWrite)
    : StateOperation(Key, ETag, Concurrency);

/// <summary>
/// Writes applied together: on every store but <c>state.redis</c> all or nothing (every ETag is
/// checked, and if any fails nothing changes); <c>state.redis</c> runs them as daprd does, in
/// MULTI/EXEC without rollback, so a failed check there leaves the other writes applied.
/// <paramref name="Metadata"/> is the request-level metadata of the transaction.
/// </summary>
public sealed record StateTransaction(IReadOnlyList<StateOperation> Operations, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// Writes of <c>SaveState</c>, <c>DeleteState</c> and <c>DeleteBulkState</c> rather than of a
    /// transaction: daprd hands them to the store one at a time (<c>Set</c>/<c>Delete</c>, or the
    /// store's <c>BulkSet</c>/<c>BulkDelete</c>), not to <c>Multi</c>. Stores that apply every write
    /// atomically may ignore it; <c>state.redis</c> runs them as daprd does.
    /// </summary>
    public bool IsBulk { get; init; }

    public static StateTransaction Of(params StateOperation[] operations) =>
        new(operations, new Dictionary<string, string>(StringComparer.Ordinal));
}
