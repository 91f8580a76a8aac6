namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// A subscription's <c>bulkSubscribe</c> settings, as daprd reads them from the app's list, from a <c>kind: Subscription</c>
/// and from <c>ListTopicSubscriptions</c>. A zero count or wait means daprd's default (100 messages, 1,000 ms).
/// </summary>
public sealed record BulkSubscribeOptions(bool Enabled, int MaxMessagesCount, int MaxAwaitDurationMs)
{
    public const int DefaultMaxMessagesCount = 100;
    public const int DefaultMaxAwaitDurationMs = 1000;

    /// <summary>The most messages in one bulk delivery: the setting, or 100 when it is not positive.</summary>
    public int EffectiveMaxMessagesCount => MaxMessagesCount > 0 ? MaxMessagesCount : DefaultMaxMessagesCount;

    /// <summary>How long a batch waits for more messages after its first: the setting, or 1 s when it is not positive.</summary>
    public TimeSpan EffectiveMaxAwaitDuration => TimeSpan.FromMilliseconds(MaxAwaitDurationMs > 0 ? MaxAwaitDurationMs : DefaultMaxAwaitDurationMs);
}

/// <summary>One message of a bulk, with the id the bulk subscriber gave it (daprd's <c>BulkMessageEntry</c>).</summary>
public sealed record BulkMessageEntry(string EntryId, PubSubMessage Message);

/// <summary>What the sidecar makes of a bulk of messages: one result per entry, in the entries' order.</summary>
public delegate Task<IReadOnlyList<HandlerResult>> BulkPubSubHandler(IReadOnlyList<BulkMessageEntry> entries, CancellationToken cancellationToken);
