using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// What the subscriber's sidecar does with a bulk of messages for a subscription with <c>bulkSubscribe.enabled</c>, step
/// by step as daprd's bulk handler (dapr/dapr <c>pkg/runtime/subscription/bulksubscription.go</c>,
/// <c>bulkresiliency.go</c>):
/// <list type="number">
/// <item>When the subscription's <c>rawPayload</c> metadata does not parse, the whole bulk goes to the dead-letter topic,
/// or back to the component.</item>
/// <item>Each entry is read: a raw payload as its bytes (content type <c>application/octet-stream</c> unless it has one),
/// otherwise as a CloudEvent (content type <c>application/cloudevents+json</c> unless it has one). An envelope that does
/// not parse fails its entry; an expired one is dropped; the route is picked as for single events (no match: dropped). A
/// raw payload can only take a route without a match, as daprd matches rules against the payload's text. Dropped entries go
/// to the dead-letter topic when there is one.</item>
/// <item>The entries are grouped by route, and each group is delivered as one bulk (<see cref="BulkAppDelivery"/>) under
/// the component's inbound policy; a retry sends only the entries that still fail. Entries the app answers <c>DROP</c>
/// go to the dead-letter topic.</item>
/// <item>When any entry failed, the failed entries go to the dead-letter topic; if there is none, or publishing there
/// fails, each failed entry goes back to the component for its own redelivery, and the rest are handled.</item>
/// </list>
/// </summary>
public sealed class BulkMessageDispatcher(BulkAppDelivery delivery, IInboundDeliveryPolicy policy, TimeProvider time, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<BulkMessageDispatcher>();

    public async Task<IReadOnlyList<HandlerResult>> HandleAsync(Subscription subscription, IPubSub pubsub, IReadOnlyList<BulkMessageEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(pubsub);
        ArgumentNullException.ThrowIfNull(entries);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [AppDelivery.PubsubNameMetadataKey] = subscription.PubsubName };
        if (!PubSubPublisher.TryGetRawPayload(subscription.Metadata, out var rawPayload, out var problem))
        {
            _logger.LogError("Error deserializing pubsub metadata of bulk subscription to topic {Topic}: {Problem}", subscription.Topic, problem);
            return await DeadLetterOrFailAsync(subscription, pubsub, entries, [.. entries.Select(_ => problem)], cancellationToken);
        }

        var errors = new string?[entries.Count];
        var groups = new Dictionary<string, List<(int Index, BulkEntryToDeliver Entry)>>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var message = entry.Message;
            if (rawPayload)
            {
                if (!TryRouteRawPayload(subscription, out var rawPath, out var routeProblem))
                {
                    _logger.LogError("Error finding matching route for event in bulk subscribe {PubsubName} and topic {Topic} for entry id {EntryId}: {Problem}", subscription.PubsubName, subscription.Topic, entry.EntryId, routeProblem);
                    errors[i] = routeProblem;
                    continue;
                }

                Add(groups, rawPath, i, new BulkEntryToDeliver(entry, null, string.IsNullOrEmpty(message.ContentType) ? CloudEvents.OctetStreamContentType : message.ContentType));
                continue;
            }

            var cloudEvent = CloudEvents.Read(message.Data.Span);
            if (cloudEvent is null)
            {
                _logger.LogError("Error deserializing one of the messages in bulk cloud event in pubsub {PubsubName} and topic {Topic}: not a JSON object", subscription.PubsubName, subscription.Topic);
                errors[i] = "error deserializing the cloud event: not a JSON object";
                continue;
            }

            if (CloudEvents.HasExpired(cloudEvent, time))
            {
                _logger.LogWarning("Dropping expired pub/sub event {EventId} as of {Expiration}", CloudEvents.GetString(cloudEvent, CloudEvents.IdField), CloudEvents.GetString(cloudEvent, CloudEvents.ExpirationField));
                await MessageDispatcher.TryDeadLetterAsync(subscription.DeadLetterTopic, pubsub, message, _logger, cancellationToken);
                continue;
            }

            string? path;
            try
            {
                path = subscription.RouteFor(cloudEvent);
            }
            catch (InvalidOperationException e)
            {
                _logger.LogError("Error finding matching route for event in bulk subscribe {PubsubName} and topic {Topic} for entry id {EntryId}: {Problem}", subscription.PubsubName, subscription.Topic, entry.EntryId, e.Message);
                errors[i] = e.Message;
                continue;
            }

            if (path is null)
            {
                _logger.LogWarning("No matching route for event in pubsub {PubsubName} and topic {Topic}; skipping", subscription.PubsubName, subscription.Topic);
                await MessageDispatcher.TryDeadLetterAsync(subscription.DeadLetterTopic, pubsub, message, _logger, cancellationToken);
                continue;
            }

            Add(groups, path, i, new BulkEntryToDeliver(entry, cloudEvent, string.IsNullOrEmpty(message.ContentType) ? CloudEvents.ContentType : message.ContentType));
        }

        foreach (var (path, group) in groups)
        {
            await DeliverAsync(subscription, pubsub, new BulkSubscribedEvents(subscription.PubsubName, subscription.Topic, path, rawPayload, [.. group.Select(g => g.Entry)], metadata), group, errors, cancellationToken);
        }

        return errors.Any(e => e is not null)
            ? await DeadLetterOrFailAsync(subscription, pubsub, entries, errors, cancellationToken)
            : [.. entries.Select(_ => HandlerResult.Success)];
    }

    /// <summary>
    /// Delivers one route's entries under the inbound policy. Each attempt sends the entries that have not yet succeeded
    /// and records every entry's outcome in <paramref name="errors"/> (null: handled); entries no attempt reached (the
    /// policy's timeout or open breaker) take the policy's reason.
    /// </summary>
    private async Task DeliverAsync(Subscription subscription, IPubSub pubsub, BulkSubscribedEvents bulk, List<(int Index, BulkEntryToDeliver Entry)> group, string?[] errors, CancellationToken cancellationToken)
    {
        var pending = group;
        var reached = new HashSet<int>();
        async Task<DeliveryResult> AttemptAsync(CancellationToken ct)
        {
            var attempt = pending;
            var result = await delivery.DeliverAsync(bulk with { Entries = [.. attempt.Select(p => p.Entry)] }, ct);
            foreach (var (index, entry) in attempt)
            {
                var outcome = result.Entries[entry.Entry.EntryId];
                reached.Add(index);
                errors[index] = outcome.Status == DeliveryStatus.Retry ? outcome.Reason : null;
                if (outcome.Status == DeliveryStatus.Drop)
                {
                    await MessageDispatcher.TryDeadLetterAsync(subscription.DeadLetterTopic, pubsub, entry.Entry.Message, _logger, cancellationToken);
                }
            }

            pending = [.. attempt.Where(p => errors[p.Index] is not null)];
            return result.Outcome;
        }

        var final = await policy.ExecuteAsync(new InboundDelivery(bulk.PubsubName, bulk.Topic, "in bulk", AttemptAsync), cancellationToken);
        if (final.Status == DeliveryStatus.Retry)
        {
            _logger.LogWarning("Bulk delivery on topic {Topic} to {Path} failed: {Reason}", bulk.Topic, bulk.Path, final.Reason);
        }

        foreach (var (index, _) in group)
        {
            if (!reached.Contains(index))
            {
                errors[index] = final.Reason;
            }
        }
    }

    /// <summary>
    /// The failed entries go to the dead-letter topic; when that works every entry is handled. Otherwise (no dead-letter
    /// topic, or publishing failed) failed entries go back to the component.
    /// </summary>
    private async Task<IReadOnlyList<HandlerResult>> DeadLetterOrFailAsync(Subscription subscription, IPubSub pubsub, IReadOnlyList<BulkMessageEntry> entries, string?[] errors, CancellationToken cancellationToken)
    {
        if (subscription.DeadLetterTopic is not null)
        {
            var sent = true;
            for (var i = 0; i < entries.Count && sent; i++)
            {
                if (errors[i] is not null)
                {
                    sent = await MessageDispatcher.TryDeadLetterAsync(subscription.DeadLetterTopic, pubsub, entries[i].Message, _logger, cancellationToken);
                }
            }

            if (sent)
            {
                return [.. entries.Select(_ => HandlerResult.Success)];
            }
        }

        return [.. errors.Select(e => e is null ? HandlerResult.Success : HandlerResult.Failure)];
    }

    /// <summary>daprd matches a raw payload's rules against its text, where a match cannot be evaluated: only a rule without one routes it.</summary>
    private static bool TryRouteRawPayload(Subscription subscription, out string path, out string problem)
    {
        path = string.Empty;
        problem = string.Empty;
        foreach (var rule in subscription.Rules)
        {
            if (rule.Match is null)
            {
                path = rule.Path;
                return true;
            }

            problem = $"match '{rule.Match.Text}' cannot be evaluated on a raw payload, which is not a CloudEvent";
            return false;
        }

        problem = "no route";
        return false;
    }

    private static void Add(Dictionary<string, List<(int, BulkEntryToDeliver)>> groups, string path, int index, BulkEntryToDeliver entry)
    {
        if (!groups.TryGetValue(path, out var group))
        {
            groups[path] = group = [];
        }

        group.Add((index, entry));
    }
}
