using System.Text.Json;
using System.Text.Json.Serialization;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// Reads subscriptions as daprd does (dapr/dapr <c>pkg/runtime/pubsub/subscriptions.go</c>): the
/// JSON list an app answers to <c>GET /dapr/subscribe</c> (keys in any case, as Go's decoder
/// matches them) and <c>kind: Subscription</c> documents, <c>dapr.io/v2alpha1</c> with
/// <c>routes</c> or <c>dapr.io/v1alpha1</c> with <c>route</c>. Rules keep their order; a
/// <c>routes.default</c> (or, for the app's list without one, <c>route</c>) becomes a last rule
/// without a match.
/// </summary>
public static class SubscriptionParser
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>
    /// The app's subscriptions. Entries without any route are left out, as daprd leaves them out
    /// (<paramref name="skipped"/> names their topics).
    /// </summary>
    /// <exception cref="FormatException">The JSON is not a list of subscriptions, or a match expression is unsupported.</exception>
    public static IReadOnlyList<Subscription> ParseProgrammatic(ReadOnlySpan<byte> json, out IReadOnlyList<string> skipped)
    {
        List<AppSubscription?>? items;
        try
        {
            items = JsonSerializer.Deserialize<List<AppSubscription?>>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"error getting topics from app: {e.Message}", e);
        }

        var subscriptions = new List<Subscription>();
        var empty = new List<string>();
        foreach (var item in items ?? [])
        {
            if (item is null)
            {
                continue;
            }

            var pubsub = item.PubsubName ?? string.Empty;
            var topic = item.Topic ?? string.Empty;
            var rules = new List<RouteRule>();
            var ruleItems = item.Routes?.Rules ?? [];
            for (var i = 0; i < ruleItems.Count; i++)
            {
                rules.Add(CreateRule(ruleItems[i]?.Match, ruleItems[i]?.Path, e =>
                    new FormatException($"subscription to topic '{topic}' on pubsub '{pubsub}': routes.rules[{i}].match: {e.Message}", e)));
            }

            if (!string.IsNullOrEmpty(item.Routes?.Default))
            {
                rules.Add(new RouteRule(null, item.Routes.Default));
            }
            else if (!string.IsNullOrEmpty(item.Route))
            {
                rules.Add(new RouteRule(null, item.Route));
            }

            if (rules.Count == 0)
            {
                empty.Add(topic);
                continue;
            }

            subscriptions.Add(new Subscription(
                pubsub,
                topic,
                rules,
                string.IsNullOrEmpty(item.DeadLetterTopic) ? null : item.DeadLetterTopic,
                item.Metadata ?? new Dictionary<string, string>(),
                SubscriptionSource.Programmatic,
                item.BulkSubscribe?.ToOptions()));
        }

        skipped = empty;
        return subscriptions;
    }

    /// <summary>
    /// The subscriptions an app served over gRPC lists (<c>ListTopicSubscriptions</c>), as daprd reads them
    /// (<c>parseRoutingRulesGRPC</c>): the rules, then the default route; a subscription without routes gets the empty
    /// path, which gRPC delivery does not need.
    /// </summary>
    /// <exception cref="FormatException">A match expression is unsupported.</exception>
    public static IReadOnlyList<Subscription> FromGrpc(IEnumerable<Dapr.AppCallback.Autogen.Grpc.v1.TopicSubscription> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var subscriptions = new List<Subscription>();
        foreach (var item in items)
        {
            var rules = new List<RouteRule>();
            var ruleItems = item.Routes?.Rules ?? [];
            for (var i = 0; i < ruleItems.Count; i++)
            {
                rules.Add(CreateRule(ruleItems[i].Match, ruleItems[i].Path, e =>
                    new FormatException($"subscription to topic '{item.Topic}' on pubsub '{item.PubsubName}': routes.rules[{i}].match: {e.Message}", e)));
            }

            if (!string.IsNullOrEmpty(item.Routes?.Default))
            {
                rules.Add(new RouteRule(null, item.Routes.Default));
            }

            if (rules.Count == 0)
            {
                rules.Add(new RouteRule(null, string.Empty));
            }

            subscriptions.Add(new Subscription(
                item.PubsubName,
                item.Topic,
                rules,
                string.IsNullOrEmpty(item.DeadLetterTopic) ? null : item.DeadLetterTopic,
                new Dictionary<string, string>(item.Metadata, StringComparer.Ordinal),
                SubscriptionSource.Programmatic,
                item.BulkSubscribe is { } bulk ? new BulkSubscribeOptions(bulk.Enabled, bulk.MaxMessagesCount, bulk.MaxAwaitDurationMs) : null));
        }

        return subscriptions;
    }

    /// <summary>A <c>kind: Subscription</c> document.</summary>
    /// <exception cref="ResourceLoadException">A required field is missing or a match expression is unsupported.</exception>
    public static Subscription ParseDeclarative(ResourceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var file = document.SourceFile;
        var body = ResourceLoader.Deserialize<SubscriptionDocument>(file, document.Yaml);
        var spec = body.Spec ?? throw new ResourceLoadException(file, $"subscription '{document.Name}' spec", "is required but missing");
        if (string.IsNullOrWhiteSpace(spec.Pubsubname))
        {
            throw new ResourceLoadException(file, $"subscription '{document.Name}' spec.pubsubname", "is required but missing");
        }

        if (string.IsNullOrWhiteSpace(spec.Topic))
        {
            throw new ResourceLoadException(file, $"subscription '{document.Name}' spec.topic", "is required but missing");
        }

        var rules = new List<RouteRule>();
        if (document.ApiVersion == "dapr.io/v2alpha1")
        {
            var ruleItems = spec.Routes?.Rules ?? [];
            for (var i = 0; i < ruleItems.Count; i++)
            {
                rules.Add(CreateRule(ruleItems[i].Match, ruleItems[i].Path, e =>
                    new ResourceLoadException(file, $"subscription '{document.Name}' spec.routes.rules[{i}].match", e.Message, e)));
            }

            if (!string.IsNullOrEmpty(spec.Routes?.Default))
            {
                rules.Add(new RouteRule(null, spec.Routes.Default));
            }

            if (rules.Count == 0)
            {
                throw new ResourceLoadException(file, $"subscription '{document.Name}' spec.routes", "needs at least one rule or a default");
            }
        }
        else
        {
            // daprd reads every other apiVersion as v1alpha1, whose one route is spec.route.
            rules.Add(new RouteRule(null, spec.Route ?? string.Empty));
        }

        return new Subscription(
            spec.Pubsubname,
            spec.Topic,
            rules,
            string.IsNullOrEmpty(spec.DeadLetterTopic) ? null : spec.DeadLetterTopic,
            spec.Metadata ?? new Dictionary<string, string>(),
            SubscriptionSource.Declarative,
            spec.BulkSubscribe?.ToOptions());
    }

    private static RouteRule CreateRule(string? match, string? path, Func<FormatException, Exception> error)
    {
        var trimmed = match?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return new RouteRule(null, path ?? string.Empty);
        }

        try
        {
            return new RouteRule(RouteExpression.Parse(trimmed), path ?? string.Empty);
        }
        catch (FormatException e)
        {
            throw error(e);
        }
    }

    private sealed class AppSubscription
    {
        public string? PubsubName { get; set; }

        public string? Topic { get; set; }

        public string? DeadLetterTopic { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public string? Route { get; set; }

        public AppRoutes? Routes { get; set; }

        public BulkSubscribeSettings? BulkSubscribe { get; set; }
    }

    /// <summary><c>bulkSubscribe</c>, the same in the app's list and in a <c>kind: Subscription</c> (v1alpha1 and v2alpha1).</summary>
    private sealed class BulkSubscribeSettings
    {
        public bool Enabled { get; set; }

        public int MaxMessagesCount { get; set; }

        public int MaxAwaitDurationMs { get; set; }

        public BulkSubscribeOptions ToOptions() => new(Enabled, MaxMessagesCount, MaxAwaitDurationMs);
    }

    private sealed class AppRoutes
    {
        public List<AppRule?>? Rules { get; set; }

        public string? Default { get; set; }
    }

    private sealed class AppRule
    {
        public string? Match { get; set; }

        public string? Path { get; set; }
    }

    private sealed class SubscriptionDocument
    {
        public SubscriptionSpec? Spec { get; set; }
    }

    private sealed class SubscriptionSpec
    {
        public string? Pubsubname { get; set; }

        public string? Topic { get; set; }

        public string? Route { get; set; }

        public DeclarativeRoutes? Routes { get; set; }

        public string? DeadLetterTopic { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }

        public BulkSubscribeSettings? BulkSubscribe { get; set; }
    }

    private sealed class DeclarativeRoutes
    {
        public List<DeclarativeRule> Rules { get; set; } = [];

        public string? Default { get; set; }
    }

    private sealed class DeclarativeRule
    {
        public string? Match { get; set; }

        public string? Path { get; set; }
    }
}
