using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.PubSub;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.State.Outbox;

/// <summary>
/// The transactional outbox on state transactions (gRPC <c>ExecuteStateTransaction</c> and HTTP
/// <c>POST /v1.0/state/{store}/transaction</c>) of stores with <see cref="OutboxSettings"/>. Its
/// observable semantics are daprd's (dapr/dapr <c>pkg/runtime/pubsub/outbox.go</c> and the
/// <c>tests/integration/suite/daprd/outbox</c> suite; docs.dapr.io "How-To: Enable the transactional
/// outbox pattern"):
/// <list type="bullet">
/// <item>each upsert produces one CloudEvent to <c>outboxPublishTopic</c> on
/// <c>outboxPublishPubsub</c>; deletes produce none;</item>
/// <item>an upsert with metadata <c>outbox.projection</c> truthy is not saved: its value (and content
/// type) is published instead of the saved value of the upsert with the same key (the first
/// projection of a key wins);</item>
/// <item>the event's <c>id</c> is <c>outbox-{uuid}</c>, <c>source</c> the app id, <c>data</c> the
/// value's bytes read by the operation's <c>contentType</c> metadata (<c>text/plain</c> when none);
/// every metadata entry of the operation but <c>data</c> and <c>id</c> is copied into the event as a
/// field of the same name;</item>
/// <item>nothing is published unless the transaction commits; a message that cannot be published
/// yet is retried, not lost.</item>
/// </list>
/// </summary>
/// <remarks>
/// Mechanism, unlike daprd: daprd publishes each message to an internal topic
/// (<c>{appId}{topic}outbox</c> on <c>outboxPubsub</c>) before the commit and writes a marker key
/// in the transaction; its subscriber publishes to the user topic once it finds the marker. Here the
/// message itself is a row written in the same transaction (<see cref="OutboxMessage"/>), and
/// <see cref="OutboxRelay"/> publishes committed rows and deletes them, picking up rows a previous
/// process left. So <c>outboxPubsub</c> is only checked to exist, and
/// <c>outboxDiscardWhenMissingState</c> never applies: a message cannot exist without its state.
/// </remarks>
public sealed class OutboxInterceptor(SidecarContext sidecar, OutboxRelay relay, PubSubPublisher publisher) : IStateTransactionInterceptor
{
    public const string ProjectionMetadataKey = "outbox.projection";

    /// <summary>components-contrib's <c>metadata.ContentType</c> request metadata.</summary>
    public const string ContentTypeMetadataKey = "contentType";

    public ValueTask<StateTransaction> BeforeCommitAsync(string storeName, StateTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (relay.SettingsFor(storeName) is not { } settings)
        {
            return ValueTask.FromResult(transaction);
        }

        foreach (var pubsub in new[] { settings.OutboxPubsub, settings.PublishPubsub }.Distinct(StringComparer.Ordinal))
        {
            try
            {
                publisher.Resolve(pubsub);
            }
            catch (DaprApiException e)
            {
                throw Error(e.Message);
            }
        }

        var projections = new Dictionary<string, StateUpsert>(StringComparer.Ordinal);
        var operations = new List<StateOperation>(transaction.Operations.Count);
        foreach (var operation in transaction.Operations)
        {
            if (operation is StateUpsert upsert && OutboxSettings.IsTruthy(upsert.Metadata?.GetValueOrDefault(ProjectionMetadataKey)))
            {
                projections.TryAdd(upsert.Key, upsert);
            }
            else
            {
                operations.Add(operation);
            }
        }

        var rows = new List<StateOperation>();
        var now = sidecar.Time.GetUtcNow();
        foreach (var upsert in operations.OfType<StateUpsert>())
        {
            var source = projections.GetValueOrDefault(upsert.Key) ?? upsert;
            var id = $"outbox-{Guid.NewGuid()}";
            var message = new OutboxMessage(settings.PublishPubsub, settings.PublishTopic, CloudEvent(id, settings, source, upsert.Metadata), now);
            rows.Add(new StateUpsert(OutboxMessage.PrefixFor(sidecar.AppId) + id, message.ToBytes()));
        }

        return ValueTask.FromResult(transaction with { Operations = [.. operations, .. rows] });
    }

    public ValueTask AfterCommitAsync(string storeName, StateTransaction committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committed);
        if (relay.SettingsFor(storeName) is null)
        {
            return ValueTask.CompletedTask;
        }

        EnqueueRows(storeName, committed, ifStored: false);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A failed transaction on a store without rollback may still have written its outbox rows (Redis runs the rest of
    /// a MULTI after one script fails). daprd publishes such a message too: its outbox subscriber finds the marker the
    /// failed transaction wrote. So the rows go to the relay, which publishes each only if it is stored.
    /// </summary>
    public ValueTask AfterFailureAsync(string storeName, StateTransaction attempted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempted);
        if (relay.SettingsFor(storeName) is not null)
        {
            EnqueueRows(storeName, attempted, ifStored: true);
        }

        return ValueTask.CompletedTask;
    }

    private void EnqueueRows(string storeName, StateTransaction transaction, bool ifStored)
    {
        var prefix = OutboxMessage.PrefixFor(sidecar.AppId);
        foreach (var row in transaction.Operations.OfType<StateUpsert>().Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            relay.Enqueue(storeName, row.Key, OutboxMessage.Parse(row.Value.Span), ifStored);
        }
    }

    /// <summary>daprd's <c>PubSubOutbox</c> error (dapr/dapr <c>pkg/api/errors/pubsub.go</c>).</summary>
    public static DaprApiException Error(string reason) =>
        new("ERR_PUBLISH_OUTBOX", $"error while publishing outbox message: {reason}", StatusCodes.Status500InternalServerError, StatusCode.Internal);

    private JsonElement CloudEvent(string id, OutboxSettings settings, StateUpsert payload, IReadOnlyDictionary<string, string>? operationMetadata)
    {
        var trace = Activity.Current is { } activity ? TraceContext.FromActivity(activity) : TraceContext.NewRoot();
        var contentType = payload.Metadata?.GetValueOrDefault(ContentTypeMetadataKey);
        var envelope = CloudEvents.CreateEnvelope(
            new CloudEvents.Publication(sidecar.AppId, settings.PublishPubsub, settings.PublishTopic, payload.Value, contentType, trace),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["cloudevent.id"] = id },
            sidecar.Time);
        var cloudEvent = CloudEvents.Read(envelope)!;
        foreach (var (key, value) in operationMetadata ?? new Dictionary<string, string>())
        {
            if (key is not (CloudEvents.DataField or CloudEvents.IdField))
            {
                cloudEvent[key] = JsonValue.Create(value);
            }
        }

        return JsonSerializer.SerializeToElement(cloudEvent);
    }
}
