using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>A publish as the HTTP and gRPC APIs receive it.</summary>
public sealed record PublishRequest(
    string PubsubName,
    string Topic,
    ReadOnlyMemory<byte> Data,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    TraceContext Trace);

/// <summary>One entry of a bulk publish: its id (unique in the request), its event and content type, its own metadata.</summary>
public sealed record BulkPublishEntry(string EntryId, ReadOnlyMemory<byte> Event, string? ContentType, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A bulk publish as the HTTP and gRPC APIs receive it.</summary>
public sealed record BulkPublishRequest(
    string PubsubName,
    string Topic,
    IReadOnlyList<BulkPublishEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata,
    TraceContext? Parent);

/// <summary>An entry the component did not take, with why.</summary>
public sealed record BulkPublishFailure(string EntryId, string Error);

/// <summary>
/// What a bulk publish did: the entries that failed (none when all were published) and, when any did, the error daprd
/// answers with (<c>ERR_PUBSUB_PUBLISH_MESSAGE</c> carrying the first failure).
/// </summary>
public sealed record BulkPublishResult(IReadOnlyList<BulkPublishFailure> Failed, DaprApiException? Error);

/// <summary>
/// Publishing, shared by the HTTP and gRPC APIs and by dead-lettering: validates the pub/sub and
/// topic, wraps the data in daprd's CloudEvent envelope (unless metadata <c>rawPayload</c> is true)
/// and hands it to the component. Errors are <see cref="DaprApiException"/>s with daprd's codes.
/// </summary>
public sealed class PubSubPublisher(SidecarContext sidecar, ILoggerFactory loggerFactory, IResiliencyPolicyProvider resiliency)
{
    public const string RawPayloadKey = "rawPayload";

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(StringComparer.Ordinal);

    private readonly ILogger _logger = loggerFactory.CreateLogger<PubSubPublisher>();

    /// <summary>The pub/sub component named <paramref name="pubsubName"/>.</summary>
    public IPubSub Resolve(string pubsubName)
    {
        if (string.IsNullOrEmpty(pubsubName))
        {
            throw PubSubErrors.NameEmpty();
        }

        return sidecar.Components.Get<IPubSub>(pubsubName) ?? throw PubSubErrors.NotFound(pubsubName);
    }

    public async Task PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pubsub = Resolve(request.PubsubName);
        if (string.IsNullOrEmpty(request.Topic))
        {
            throw PubSubErrors.TopicEmpty(request.PubsubName);
        }

        if (!TryGetRawPayload(request.Metadata, out var rawPayload, out var problem))
        {
            throw PubSubErrors.MetadataDeserialize(problem);
        }

        ReadOnlyMemory<byte> data = request.Data;
        if (!rawPayload)
        {
            try
            {
                data = CloudEvents.CreateEnvelope(
                    new CloudEvents.Publication(sidecar.AppId, request.PubsubName, request.Topic, request.Data, request.ContentType, request.Trace),
                    request.Metadata,
                    sidecar.Time);
            }
            catch (FormatException e)
            {
                throw PubSubErrors.CloudEventCreation(e);
            }
        }

        try
        {
            // daprd runs the pub/sub's resiliency outbound policy around the publish.
            var message = new PubSubMessage(request.Topic, data, null, request.Metadata);
            await resiliency.ForComponentOutbound(request.PubsubName, ComponentKind.Pubsub).ExecuteAsync(ct => pubsub.PublishAsync(message, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Publishing to topic {Topic} in pubsub {PubsubName} failed", request.Topic, request.PubsubName);
            throw PubSubErrors.PublishMessage(request.PubsubName, request.Topic, e);
        }
    }

    /// <summary>How many entries of a bulk daprd's default bulk publisher publishes at once.</summary>
    public const int BulkPublishConcurrency = 100;

    /// <summary>
    /// A bulk publish as daprd runs it for a component without bulk publishing of its own (<c>defaultBulkPublisher</c>):
    /// the request is validated as a single publish is, every entry needs an id of its own, each entry is wrapped in its
    /// own CloudEvent (with a producer span of its own) unless the request's metadata says <c>rawPayload</c>, and each is
    /// published, up to <see cref="BulkPublishConcurrency"/> at a time (so in no set order); the failures are collected
    /// rather than stopping the rest. The outbound resiliency policy runs around the whole batch, and a retry publishes
    /// only the entries that failed; a timeout or an open breaker fails every entry not yet published. An entry with
    /// metadata of its own gets the request's metadata under it; an entry without any gets none, as in daprd.
    /// </summary>
    public async Task<BulkPublishResult> BulkPublishAsync(BulkPublishRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pubsub = Resolve(request.PubsubName);
        if (string.IsNullOrEmpty(request.Topic))
        {
            throw PubSubErrors.TopicEmpty(request.PubsubName);
        }

        if (!TryGetRawPayload(request.Metadata, out var rawPayload, out var problem))
        {
            throw PubSubErrors.MetadataDeserialize(problem);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (request.Entries.Any(entry => entry.EntryId.Length == 0 || !ids.Add(entry.EntryId)))
        {
            throw PubSubErrors.MarshalEvents(request.PubsubName, request.Topic, "entryId is duplicated or not present for entry");
        }

        // Every envelope is made before anything is published, so a bad entry publishes none, as in daprd.
        var prepared = new List<(BulkPublishEntry Entry, PubSubMessage Message, System.Diagnostics.Activity? Span)>(request.Entries.Count);
        try
        {
            foreach (var entry in request.Entries)
            {
                var metadata = entry.Metadata is null ? Empty : WithRequestMetadata(entry.Metadata, request.Metadata);
                var (activity, trace) = TraceContext.StartSpan($"BulkPublishEvent/{request.PubsubName}/{request.Topic}", System.Diagnostics.ActivityKind.Producer, request.Parent);
                prepared.Add((entry, new PubSubMessage(request.Topic, entry.Event, null, metadata), activity));
                if (!rawPayload)
                {
                    try
                    {
                        var envelope = CloudEvents.CreateEnvelope(new CloudEvents.Publication(sidecar.AppId, request.PubsubName, request.Topic, entry.Event, entry.ContentType, trace), metadata, sidecar.Time);
                        prepared[^1] = prepared[^1] with { Message = prepared[^1].Message with { Data = envelope } };
                    }
                    catch (FormatException e)
                    {
                        throw PubSubErrors.CloudEventCreation(e);
                    }
                }
            }

            // daprd's default bulk publisher (pkg/runtime/pubsub/default_bulkpub.go, bulkpublish_resiliency.go): the outbound
            // policy runs around the whole batch, each attempt publishes the entries still unpublished, up to 100 at a
            // time, and a retry sends only the entries that failed.
            var pending = prepared;
            var errors = new Dictionary<string, Exception>(StringComparer.Ordinal);
            async Task<int> AttemptAsync(CancellationToken ct)
            {
                var attempt = pending;
                var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, Exception>(StringComparer.Ordinal);
                await Parallel.ForEachAsync(
                    attempt,
                    new ParallelOptions { MaxDegreeOfParallelism = BulkPublishConcurrency, CancellationToken = ct },
                    async (item, itemToken) =>
                    {
                        try
                        {
                            await pubsub.PublishAsync(item.Message, itemToken);
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !itemToken.IsCancellationRequested)
                        {
                            failures[item.Entry.EntryId] = e;
                        }
                    });
                lock (errors)
                {
                    errors.Clear();
                    foreach (var (id, e) in failures)
                    {
                        errors[id] = e;
                    }
                }

                pending = [.. attempt.Where(p => failures.ContainsKey(p.Entry.EntryId))];
                return failures.Count;
            }

            Exception? batchError = null;
            try
            {
                await resiliency.ForComponentOutbound(request.PubsubName, ComponentKind.Pubsub).ExecuteAsync(
                    AttemptAsync,
                    failures => failures == 0 ? AttemptVerdict.Success : AttemptVerdict.Failure(),
                    null,
                    cancellationToken);
            }
            catch (Exception e) when (e is CircuitBreakerRejectedException or ResiliencyTimeoutException)
            {
                // Cut off by the policy: every entry not yet published fails with its error, as in daprd.
                batchError = e;
            }

            var failed = new List<BulkPublishFailure>();
            Exception? first = batchError;
            foreach (var (entry, _, span) in pending)
            {
                var error = batchError ?? errors.GetValueOrDefault(entry.EntryId);
                if (error is null)
                {
                    continue;
                }

                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error.Message);
                _logger.LogWarning(error, "Publishing entry {EntryId} to topic {Topic} in pubsub {PubsubName} failed", entry.EntryId, request.Topic, request.PubsubName);
                failed.Add(new BulkPublishFailure(entry.EntryId, error.Message));
                first ??= error;
            }

            return new BulkPublishResult(failed, first is null ? null : PubSubErrors.PublishMessage(request.PubsubName, request.Topic, first));
        }
        finally
        {
            foreach (var (_, _, span) in prepared)
            {
                span?.Dispose();
            }
        }
    }

    /// <summary>An entry's metadata with the request's under it (the entry's keys win), as daprd's <c>PopulateMetadataForBulkPublishEntry</c>.</summary>
    private static Dictionary<string, string> WithRequestMetadata(IReadOnlyDictionary<string, string> entry, IReadOnlyDictionary<string, string> request)
    {
        var merged = new Dictionary<string, string>(entry, StringComparer.Ordinal);
        foreach (var (key, value) in request)
        {
            merged.TryAdd(key, value);
        }

        return merged;
    }

    /// <summary>
    /// Metadata <c>rawPayload</c> as components-contrib's <c>IsRawPayload</c> reads it: absent or
    /// empty is false, otherwise a Go boolean.
    /// </summary>
    public static bool TryGetRawPayload(IReadOnlyDictionary<string, string> metadata, out bool rawPayload, out string problem)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        rawPayload = false;
        problem = string.Empty;
        if (!metadata.TryGetValue(RawPayloadKey, out var value) || string.IsNullOrEmpty(value))
        {
            return true;
        }

        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                rawPayload = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                return true;
            default:
                problem = $"{RawPayloadKey} value must be a valid boolean: actual is '{value}'";
                return false;
        }
    }
}
