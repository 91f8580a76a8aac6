using System.Net;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// The subscriptions of one sidecar's app. Declarative ones (<c>kind: Subscription</c>) are read
/// and checked before the sidecar listens, so a bad one stops start-up with its file and field.
/// Once the app is up it asks <c>GET /dapr/subscribe</c> (404: the app subscribes to nothing),
/// then subscribes each to its pub/sub component with the app id as consumer group, as daprd
/// does when its app channel is ready. An answer that does not parse, or holds a match expression
/// outside the supported subset, is logged as an error and none of the app's subscriptions are
/// used. A subscription naming a pub/sub this sidecar has not loaded is skipped with a warning. One with
/// <c>bulkSubscribe.enabled</c> goes through <see cref="DefaultBulkSubscriber"/> to the <see cref="BulkMessageDispatcher"/>,
/// as daprd subscribes a component that does not implement bulk subscription itself (none of ours does). <see cref="Subscriptions"/> is what the metadata API reports.
/// </summary>
public sealed class SubscriptionManager(
    SidecarContext sidecar,
    MessageDispatcher dispatcher,
    BulkMessageDispatcher bulkDispatcher,
    AppCallbackInvoker appCallback,
    ILoggerFactory loggerFactory) : IAppReadyListener, IAppHealthListener, IHostedLifecycleService, IMetadataContributor, IAsyncDisposable
{
    public const string SubscribePath = "dapr/subscribe";

    private readonly ILogger _logger = loggerFactory.CreateLogger<SubscriptionManager>();
    private readonly List<IAsyncDisposable> _active = [];
    private IReadOnlyList<Subscription> _declarative = [];
    private volatile IReadOnlyList<Subscription> _subscriptions = [];

    /// <summary>How many subscriptions are receiving now (none while app health checks find the app unhealthy).</summary>
    public int ReceivingCount
    {
        get
        {
            lock (_active)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>The subscriptions in effect: the app's, then the declarative ones.</summary>
    public IReadOnlyList<Subscription> Subscriptions => _subscriptions;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _declarative = [.. sidecar.Resources
            .Where(d => d.Kind == "Subscription")
            .Select(SubscriptionParser.ParseDeclarative)];
        return Task.CompletedTask;
    }

    public async Task OnAppReadyAsync(CancellationToken cancellationToken)
    {
        var programmatic = await GetAppSubscriptionsAsync(cancellationToken);
        var subscriptions = new List<Subscription>();
        foreach (var subscription in programmatic.Concat(_declarative))
        {
            if (subscriptions.Exists(s => s.PubsubName == subscription.PubsubName && s.Topic == subscription.Topic))
            {
                _logger.LogWarning(
                    "Two subscriptions to topic {Topic} of pubsub {PubsubName}; the {Source} one is ignored",
                    subscription.Topic,
                    subscription.PubsubName,
                    subscription.Source);
                continue;
            }

            var pubsub = sidecar.Components.Get<IPubSub>(subscription.PubsubName);
            if (pubsub is null)
            {
                _logger.LogWarning("Subscription to topic {Topic} skipped: pubsub {PubsubName} is not loaded", subscription.Topic, subscription.PubsubName);
                continue;
            }

            await StartAsync(subscription, pubsub, cancellationToken);
            subscriptions.Add(subscription);
            _logger.LogInformation(
                "App {AppId} subscribed to topic {Topic} of pubsub {PubsubName} ({Source}{Bulk})",
                sidecar.AppId,
                subscription.Topic,
                subscription.PubsubName,
                subscription.Source,
                subscription.IsBulk ? ", in bulk" : string.Empty);
        }

        _subscriptions = subscriptions;
    }

    /// <summary>With app health checks, as daprd: subscriptions stop while the app is unhealthy and start again once it is healthy.</summary>
    public async Task OnAppHealthChangedAsync(bool healthy, CancellationToken cancellationToken)
    {
        if (!healthy)
        {
            await StopSubscriptionsAsync();
            _logger.LogInformation("App {AppId} is unhealthy: its topic subscriptions are stopped", sidecar.AppId);
            return;
        }

        var subscriptions = Subscriptions;
        foreach (var subscription in subscriptions)
        {
            await StartAsync(subscription, sidecar.Components.Get<IPubSub>(subscription.PubsubName)!, cancellationToken);
        }

        _logger.LogInformation("App {AppId} is healthy again: its {Count} topic subscription(s) are started", sidecar.AppId, subscriptions.Count);
    }

    private async Task StartAsync(Subscription subscription, IPubSub pubsub, CancellationToken cancellationToken)
    {
        var request = new SubscribeRequest(subscription.Topic, sidecar.AppId, subscription.Metadata);
        var active = subscription.IsBulk
            ? await DefaultBulkSubscriber.SubscribeAsync(
                pubsub,
                request,
                subscription.BulkSubscribe!,
                (entries, ct) => bulkDispatcher.HandleAsync(subscription, pubsub, entries, ct),
                sidecar.Time,
                _logger,
                cancellationToken)
            : await pubsub.SubscribeAsync(request, (message, ct) => dispatcher.HandleAsync(subscription, pubsub, message, ct), cancellationToken);
        lock (_active)
        {
            _active.Add(active);
        }
    }

    public void Contribute(GetMetadataResponse metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var subscription in _subscriptions)
        {
            var entry = new PubsubSubscription
            {
                PubsubName = subscription.PubsubName,
                Topic = subscription.Topic,
                DeadLetterTopic = subscription.DeadLetterTopic ?? string.Empty,
                Type = subscription.Source == SubscriptionSource.Declarative ? PubsubSubscriptionType.Declarative : PubsubSubscriptionType.Programmatic,
                Rules = new PubsubSubscriptionRules(),
            };
            entry.Metadata.Add(subscription.Metadata.ToDictionary());
            entry.Rules.Rules.Add(subscription.Rules.Select(r => new PubsubSubscriptionRule { Match = r.Match?.Text ?? string.Empty, Path = r.Path }));
            metadata.Subscriptions.Add(entry);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => StopSubscriptionsAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync() => await StopSubscriptionsAsync();

    private async Task StopSubscriptionsAsync()
    {
        IAsyncDisposable[] active;
        lock (_active)
        {
            active = [.. _active];
            _active.Clear();
        }

        foreach (var subscription in active)
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task<IReadOnlyList<Subscription>> GetAppSubscriptionsAsync(CancellationToken cancellationToken)
    {
        if (sidecar.App.BaseAddress is null)
        {
            return [];
        }

        if (sidecar.Options.AppServesGrpc)
        {
            return await GetGrpcAppSubscriptionsAsync(cancellationToken);
        }

        byte[] body;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(SubscribePath, UriKind.Relative));
            using var response = await sidecar.App.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                _logger.LogDebug("App {AppId} did not subscribe to any topic", sidecar.AppId);
                return [];
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                _logger.LogError("App {AppId} returned HTTP status code {StatusCode} from the subscription endpoint", sidecar.AppId, (int)response.StatusCode);
                return [];
            }

            body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            _logger.LogError(e, "App {AppId} could not be asked for its subscriptions", sidecar.AppId);
            return [];
        }

        IReadOnlyList<Subscription> subscriptions;
        IReadOnlyList<string> skipped;
        try
        {
            subscriptions = SubscriptionParser.ParseProgrammatic(body, out skipped);
        }
        catch (FormatException e)
        {
            // daprd logs the failure and carries on without the app's subscriptions.
            _logger.LogError("App {AppId} subscriptions from GET /{SubscribePath} not loaded: {Problem}", sidecar.AppId, SubscribePath, e.Message);
            return [];
        }

        foreach (var topic in skipped)
        {
            _logger.LogWarning("Topic {Topic} has empty routes; removed from the subscriptions of {AppId}", topic, sidecar.AppId);
        }

        return subscriptions;
    }

    /// <summary>An app served over gRPC lists its subscriptions on AppCallback; one that does not implement that has none.</summary>
    private async Task<IReadOnlyList<Subscription>> GetGrpcAppSubscriptionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return SubscriptionParser.FromGrpc(await appCallback.ListTopicSubscriptionsAsync(cancellationToken));
        }
        catch (global::Grpc.Core.RpcException e)
        {
            _logger.LogError("App {AppId} could not be asked for its subscriptions: {Status} {Detail}", sidecar.AppId, e.StatusCode, e.Status.Detail);
            return [];
        }
        catch (FormatException e)
        {
            _logger.LogError("App {AppId} subscriptions from ListTopicSubscriptions not loaded: {Problem}", sidecar.AppId, e.Message);
            return [];
        }
    }
}
