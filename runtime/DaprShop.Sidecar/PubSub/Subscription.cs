namespace DaprShop.Sidecar.PubSub;

/// <summary>Where a subscription came from.</summary>
public enum SubscriptionSource
{
    /// <summary>The app's answer to <c>GET /dapr/subscribe</c>.</summary>
    Programmatic,

    /// <summary>A <c>kind: Subscription</c> document in a resources path.</summary>
    Declarative,
}

/// <summary>
/// One route of a subscription: events for which <see cref="Match"/> holds (always, when null) are
/// posted to <see cref="Path"/> on the app. Rules are tried in order; the default route comes last.
/// </summary>
public sealed record RouteRule(RouteExpression? Match, string Path);

/// <summary>
/// An app's subscription to one topic of one pub/sub, as daprd keeps it. With <see cref="BulkSubscribe"/> enabled its
/// messages reach the app in bulks (<see cref="BulkMessageDispatcher"/>).
/// </summary>
public sealed record Subscription(
    string PubsubName,
    string Topic,
    IReadOnlyList<RouteRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    SubscriptionSource Source,
    BulkSubscribeOptions? BulkSubscribe = null)
{
    /// <summary>Whether messages go to the app in bulks.</summary>
    public bool IsBulk => BulkSubscribe is { Enabled: true };

    /// <summary>
    /// The route for an event: the path of the first rule whose match holds, or null when none
    /// does (daprd then skips the event).
    /// </summary>
    /// <exception cref="InvalidOperationException">A match expression cannot be evaluated for this event.</exception>
    public string? RouteFor(System.Text.Json.Nodes.JsonObject cloudEvent)
    {
        foreach (var rule in Rules)
        {
            if (rule.Match is null || rule.Match.Evaluate(cloudEvent))
            {
                return rule.Path;
            }
        }

        return null;
    }
}
