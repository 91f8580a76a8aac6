namespace DaprShop.Sidecar.State;

/// <summary>What a state store supports, named as components-contrib's <c>state.Feature</c> values.</summary>
[Flags]
public enum StateFeatures
{
    None = 0,

    /// <summary><c>ETAG</c>: optimistic concurrency with ETags.</summary>
    ETag = 1,

    /// <summary><c>TRANSACTIONAL</c>: multi-key transactions.</summary>
    Transactional = 2,

    /// <summary><c>TTL</c>: per-item expiry through the <c>ttlInSeconds</c> metadata.</summary>
    Ttl = 4,
}
