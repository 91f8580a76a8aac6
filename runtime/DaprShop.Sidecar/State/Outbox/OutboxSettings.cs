using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.State.Outbox;

/// <summary>
/// The transactional outbox of a state store component, from its metadata as daprd reads it
/// (dapr/dapr <c>pkg/runtime/pubsub/outbox.go</c>, <c>AddOrUpdateOutbox</c>): enabled only when both
/// <c>outboxPublishPubsub</c> and <c>outboxPublishTopic</c> are set; <c>outboxPubsub</c> defaults to
/// <c>outboxPublishPubsub</c>; <c>outboxDiscardWhenMissingState</c> is a Go truthy value.
/// </summary>
public sealed record OutboxSettings(string PublishPubsub, string PublishTopic, string OutboxPubsub, bool DiscardWhenMissingState)
{
    /// <summary>The store's outbox, or null when the component does not enable one.</summary>
    public static OutboxSettings? FromSpec(ComponentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var publishPubsub = spec.Metadata.Get("outboxPublishPubsub");
        var publishTopic = spec.Metadata.Get("outboxPublishTopic");
        if (string.IsNullOrEmpty(publishPubsub) || string.IsNullOrEmpty(publishTopic))
        {
            return null;
        }

        var outboxPubsub = spec.Metadata.Get("outboxPubsub");
        return new OutboxSettings(
            publishPubsub,
            publishTopic,
            string.IsNullOrEmpty(outboxPubsub) ? publishPubsub : outboxPubsub,
            IsTruthy(spec.Metadata.Get("outboxDiscardWhenMissingState")));
    }

    /// <summary>dapr/kit's <c>IsTruthy</c>: y, yes, true, t, on, 1 in any case.</summary>
    public static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}
