namespace DaprShop.Sidecar.State;

/// <summary>Which ETag failure a store met, as components-contrib's <c>state.ETagErrorKind</c>.</summary>
public enum ETagErrorKind
{
    /// <summary>The stored item's ETag differs, or the item is absent or expired.</summary>
    Mismatch,

    /// <summary>The ETag is not in the form the store uses.</summary>
    Invalid,
}

/// <summary>
/// An ETag check that failed in a store. The message is components-contrib's
/// (<c>possible etag mismatch. error from state store[: detail]</c>, <c>invalid etag value[: detail]</c>);
/// daprd answers a mismatch with HTTP 409 / gRPC <c>Aborted</c> and an invalid ETag with
/// 400 / <c>InvalidArgument</c>.
/// </summary>
public sealed class StateETagException : Exception
{
    public StateETagException(ETagErrorKind kind, string? detail = null)
        : base(Describe(kind, detail))
    {
        Kind = kind;
    }

    public StateETagException()
        : this(ETagErrorKind.Mismatch)
    {
    }

    public StateETagException(string message)
        : base(message)
    {
    }

    public StateETagException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ETagErrorKind Kind { get; }

    private static string Describe(ETagErrorKind kind, string? detail)
    {
        var prefix = kind == ETagErrorKind.Invalid ? "invalid etag value" : "possible etag mismatch. error from state store";
        return detail is null ? prefix : $"{prefix}: {detail}";
    }
}
