using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Dapr.Client;
using DaprShop.Sidecar.PubSub;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace DaprShop.Sidecar.Tests.PubSub;

/// <summary>
/// Bulk subscription (<c>bulkSubscribe.enabled</c>) as daprd runs it: its default bulk subscriber's batching, the HTTP
/// envelope and the reading of the app's per-entry statuses, dead-lettering, the inbound policy retrying only the
/// entries that failed, and the .NET SDK's bulk subscriber.
/// </summary>
public sealed class BulkSubscribeTests
{
    private const string Pubsub = "pubsub";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Bulk_delivery_posts_daprd_envelope_to_the_route_and_success_is_not_delivered_again()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            """[{"pubsubname":"pubsub","topic":"orders","route":"/batch","bulkSubscribe":{"enabled":true,"maxMessagesCount":5,"maxAwaitDurationMs":20}}]""",
            log,
            (_, _) => "SUCCESS");

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });

        var batches = await log.WaitForAsync("/batch", 2);
        var first = batches[0];
        Assert.Equal("application/json", first.Header("content-type"));
        Assert.Equal(Pubsub, first.Header("pubsubname"));
        Assert.StartsWith("00-", first.Header("traceparent"), StringComparison.Ordinal);
        Assert.StartsWith("{\"entries\":[{\"entryId\":", first.BodyText, StringComparison.Ordinal);
        var envelope = first.Json;
        Assert.Equal(["entries", "id", "metadata", "pubsubname", "topic", "type"], envelope.EnumerateObject().Select(p => p.Name));
        Assert.True(Guid.TryParse(envelope.GetProperty("id").GetString(), out _));
        Assert.Equal("com.dapr.event.sent.bulk", envelope.GetProperty("type").GetString());
        Assert.Equal("orders", envelope.GetProperty("topic").GetString());
        Assert.Equal(Pubsub, envelope.GetProperty("pubsubname").GetString());
        Assert.Equal(Pubsub, envelope.GetProperty("metadata").GetProperty("pubsubName").GetString());
        var entry = Assert.Single(envelope.GetProperty("entries").EnumerateArray().ToList());
        Assert.True(Guid.TryParse(entry.GetProperty("entryId").GetString(), out _));
        Assert.Equal("application/cloudevents+json", entry.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Object, entry.GetProperty("metadata").ValueKind);
        var cloudEvent = entry.GetProperty("event");
        Assert.Equal("com.dapr.event.sent", cloudEvent.GetProperty("type").GetString());
        Assert.Equal("orders", cloudEvent.GetProperty("topic").GetString());
        Assert.Equal(1, cloudEvent.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(cloudEvent.GetProperty("traceparent").GetString()![3..35], first.Header("traceparent")![3..35]);

        // pubsub.in-memory hands over one message at a time, so each bulk holds one, and the next only once the first is handled.
        Assert.Equal([[1], [2]], log.To("/batch").Select(Ns));
    }

    [Theory]
    [InlineData("RETRY")]
    [InlineData("")]
    [InlineData("MAYBE")]
    [InlineData("no status")]
    [InlineData("500")]
    [InlineData("not json")]
    public async Task Entry_the_app_does_not_answer_success_for_is_delivered_again(string answer)
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            """[{"pubsubname":"pubsub","topic":"orders","route":"/batch","bulkSubscribe":{"enabled":true,"maxAwaitDurationMs":10}}]""",
            log,
            (n, attempt) => n == 1 && attempt == 1 ? answer : "SUCCESS");

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });

        await log.WaitForAsync("/batch", 3);
        Assert.Equal([[1], [1], [2]], log.To("/batch").Select(Ns));
    }

    [Theory]
    [InlineData("DROP", true)]
    [InlineData("404", false)]
    public async Task Entry_dropped_by_the_app_is_not_delivered_again_and_only_DROP_goes_to_the_dead_letter_topic(string answer, bool deadLettered)
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            """
            [{"pubsubname":"pubsub","topic":"orders","route":"/batch","deadLetterTopic":"orders-dead","bulkSubscribe":{"enabled":true,"maxAwaitDurationMs":10}},
             {"pubsubname":"pubsub","topic":"orders-dead","route":"/dead"}]
            """,
            log,
            (n, _) => n == 1 ? answer : "SUCCESS");

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });
        await app.Client.PublishEventAsync(Pubsub, "orders-dead", new { n = 99 });

        var dead = await log.WaitForAsync("/dead", deadLettered ? 2 : 1);
        await log.WaitForAsync("/batch", 2);
        Assert.Equal([[1], [2]], log.To("/batch").Select(Ns));
        Assert.Equal(deadLettered ? [1, 99] : [99], dead.Select(d => d.Json.GetProperty("data").GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public async Task Entry_still_failing_goes_to_the_dead_letter_topic()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            """
            [{"pubsubname":"pubsub","topic":"orders","route":"/batch","deadLetterTopic":"orders-dead","bulkSubscribe":{"enabled":true,"maxAwaitDurationMs":10}},
             {"pubsubname":"pubsub","topic":"orders-dead","route":"/dead"}]
            """,
            log,
            (n, _) => n == 1 ? "RETRY" : "SUCCESS");

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });

        var dead = Assert.Single(await log.WaitForAsync("/dead"));
        Assert.Equal(1, dead.Json.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Single(log.To("/batch"));
    }

    [Fact]
    public async Task Declarative_v2alpha1_subscription_with_bulkSubscribe_routes_entries_by_rule()
    {
        var log = new RequestLog();
        var subscription = """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: orders-in-bulk
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                  - match: event.data.size == "big"
                    path: /big
                default: /small
              bulkSubscribe:
                enabled: true
                maxMessagesCount: 3
                maxAwaitDurationMs: 10
            """;
        await using var app = await StartSubscriberAsync(null, log, (_, _) => "SUCCESS", ("subscription.yaml", subscription));

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1, size = "small" });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2, size = "big" });

        Assert.Equal([[1]], (await log.WaitForAsync("/small")).Select(Ns));
        Assert.Equal([[2]], (await log.WaitForAsync("/big")).Select(Ns));
    }

    [Fact]
    public async Task Dapr_AspNetCore_bulk_subscriber_reads_the_entries_and_its_statuses_are_honoured()
    {
        var received = new ConcurrentQueue<(string EntryId, OrderPlaced Order)>();
        await using var app = await SidecarHarness.StartAsync(
            "orders",
            Resources(),
            web =>
            {
                web.MapSubscribeHandler();
                web.MapPost("/order-placed", (BulkSubscribeMessage<BulkMessageModel<OrderPlaced>> bulk) =>
                {
                    var statuses = new List<BulkSubscribeAppResponseEntry>();
                    foreach (var entry in bulk.Entries)
                    {
                        received.Enqueue((entry.EntryId, entry.Event.Data));
                        var retry = entry.Event.Data.OrderId == "o-1" && received.Count(r => r.Order.OrderId == "o-1") == 1;
                        statuses.Add(new BulkSubscribeAppResponseEntry(entry.EntryId, retry ? BulkSubscribeAppResponseStatus.RETRY : BulkSubscribeAppResponseStatus.SUCCESS));
                    }

                    return Results.Ok(new BulkSubscribeAppResponse(statuses));
                })
                .WithTopic(Pubsub, "order-placed")
                .WithBulkSubscribe(new BulkSubscribeTopicOptions { TopicName = "order-placed", MaxMessagesCount = 10, MaxAwaitDurationMs = 10 });
            },
            builder => builder.Services.AddDaprClient());

        await app.Client.PublishEventAsync(Pubsub, "order-placed", new OrderPlaced("o-1", 12.5m));
        await app.Client.PublishEventAsync(Pubsub, "order-placed", new OrderPlaced("o-2", 3m));

        await Eventually.WaitAsync(() => Task.FromResult(received.Count), n => n >= 3, Deadline, "o-1 twice, then o-2");
        Assert.Equal(["o-1", "o-1", "o-2"], received.Select(r => r.Order.OrderId));
        Assert.Equal(new OrderPlaced("o-2", 3m), received.Last().Order);
        Assert.Equal(3, received.Select(r => r.EntryId).Distinct().Count());
    }

    [Fact]
    public async Task Redis_workers_fill_a_bulk_and_the_inbound_policy_resends_only_the_entry_that_failed()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Address);
        var database = RedisServer.Shared.NextDatabase();
        var pubsub = ComponentYaml.Component(Pubsub, "pubsub.redis", ComponentYaml.Redis(database));
        var cluster = new LocalCluster();
        await using (var publisher = await SidecarHarness.StartAsync("checkout", new Dictionary<string, string> { ["pubsub.yaml"] = pubsub }, cluster: cluster))
        {
            // A new consumer group reads the stream from its start, so all six wait for the subscriber's workers at once.
            await redis.GetDatabase(database).StreamCreateConsumerGroupAsync("orders", "warm-up", StreamPosition.Beginning, createStream: true);
            for (var n = 1; n <= 6; n++)
            {
                await publisher.Client.PublishEventAsync(Pubsub, "orders", new { n });
            }
        }

        var log = new RequestLog();
        var resiliency = """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: inbound
            spec:
              policies:
                retries:
                  delivery: { policy: constant, duration: 10ms, maxRetries: 3 }
              targets:
                components:
                  pubsub:
                    inbound: { retry: delivery }
            """;
        await using var app = await StartSubscriberAsync(
            """[{"pubsubname":"pubsub","topic":"orders","route":"/batch","bulkSubscribe":{"enabled":true,"maxMessagesCount":6,"maxAwaitDurationMs":5000}}]""",
            log,
            (n, attempt) => n == 3 && attempt == 1 ? "RETRY" : "SUCCESS",
            ("resiliency.yaml", resiliency),
            ("pubsub.yaml", pubsub));

        var batches = await log.WaitForAsync("/batch", 2);
        Assert.Equal([1, 2, 3, 4, 5, 6], Ns(batches[0]).Order());
        Assert.Equal([3], Ns(batches[1]));
        var retried = batches[1].Json.GetProperty("entries")[0].GetProperty("entryId").GetString();
        Assert.Contains(retried, batches[0].Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entryId").GetString()));
        await Eventually.WaitAsync(async () => (await redis.GetDatabase(database).StreamPendingAsync("orders", "subscriber")).PendingMessageCount, n => n == 0, Deadline, "all six to be acknowledged");
    }

    [Fact]
    public async Task Default_bulk_subscriber_hands_over_a_full_batch_at_once_and_answers_each_message_with_its_entry_result()
    {
        var time = new FakeTimeProvider();
        var component = new ConcurrentComponent();
        var batches = new ConcurrentQueue<IReadOnlyList<BulkMessageEntry>>();
        await using var subscription = await SubscribeAsync(component, new BulkSubscribeOptions(true, 3, 60_000),
            (entries, _) =>
            {
                batches.Enqueue(entries);
                return Task.FromResult<IReadOnlyList<HandlerResult>>([.. entries.Select(e => e.Message.Data.Span[0] == (byte)'2' ? HandlerResult.Failure : HandlerResult.Success)]);
            },
            time);

        // Three messages fill the batch: it goes without the clock moving.
        var results = await Task.WhenAll(component.DeliverAsync("1"), component.DeliverAsync("2"), component.DeliverAsync("3")).WaitAsync(Deadline);

        Assert.Equal([HandlerResult.Success, HandlerResult.Failure, HandlerResult.Success], results);
        var batch = Assert.Single(batches);
        Assert.Equal(["1", "2", "3"], batch.Select(e => System.Text.Encoding.UTF8.GetString(e.Message.Data.Span)).Order());
        Assert.Equal(3, batch.Select(e => e.EntryId).Distinct().Count());
    }

    [Fact]
    public async Task Default_bulk_subscriber_hands_over_a_partial_batch_once_the_wait_from_its_first_message_has_passed()
    {
        var time = new FakeTimeProvider();
        var component = new ConcurrentComponent();
        var batches = new ConcurrentQueue<int>();
        await using var subscription = await SubscribeAsync(component, new BulkSubscribeOptions(true, 10, 500),
            (entries, _) =>
            {
                batches.Enqueue(entries.Count);
                return Task.FromResult<IReadOnlyList<HandlerResult>>([.. entries.Select(_ => HandlerResult.Success)]);
            },
            time);

        var delivered = Task.WhenAll(component.DeliverAsync("1"), component.DeliverAsync("2"));
        var start = time.GetUtcNow();
        await Eventually.WaitAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                return Task.FromResult(delivered.IsCompleted);
            },
            done => done,
            Deadline,
            "the batch to go once its wait has passed");

        // The wait starts when the loop takes the first message, at or after the start.
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromMilliseconds(500), $"handed over after {time.GetUtcNow() - start} on the clock");
        Assert.Equal([2], batches);
    }

    [Fact]
    public async Task Default_bulk_subscriber_stopping_sends_waiting_messages_back_to_the_component()
    {
        var component = new ConcurrentComponent();
        var subscription = await SubscribeAsync(component, new BulkSubscribeOptions(true, 10, 60_000),
            AllSucceed,
            new FakeTimeProvider());

        var waiting = component.DeliverAsync("1");
        await subscription.DisposeAsync();

        Assert.Equal(HandlerResult.Failure, await waiting.WaitAsync(Deadline));
    }

    [Fact]
    public void BulkSubscribeOptions_zero_or_negative_settings_take_daprd_defaults()
    {
        var unset = new BulkSubscribeOptions(true, 0, -1);
        Assert.Equal(100, unset.EffectiveMaxMessagesCount);
        Assert.Equal(TimeSpan.FromSeconds(1), unset.EffectiveMaxAwaitDuration);
        var set = new BulkSubscribeOptions(true, 7, 25);
        Assert.Equal(7, set.EffectiveMaxMessagesCount);
        Assert.Equal(TimeSpan.FromMilliseconds(25), set.EffectiveMaxAwaitDuration);
    }

    [Fact]
    public async Task Malformed_entry_goes_back_to_the_component_and_the_good_one_is_delivered_and_handled()
    {
        // Deliberately not as daprd 1.18: its bulksubscription.go assigns json.Unmarshal's error to the handler's err, so
        // the next entry that parses resets it to nil, and without a dead-letter topic every message is then answered
        // with nil, the malformed one acknowledged (lost) too. Here it fails alone, as a single event that does not parse does.
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(null, log, (_, _) => "SUCCESS");
        var dispatcher = app.Sidecar.Services.GetRequiredService<BulkMessageDispatcher>();
        var subscription = new Subscription(Pubsub, "orders", [new RouteRule(null, "/batch")], null, new Dictionary<string, string>(), SubscriptionSource.Programmatic, new BulkSubscribeOptions(true, 10, 10));

        var results = await dispatcher.HandleAsync(
            subscription,
            new RecordingPubSub(),
            [Entry("not json"), Entry(CloudEvent("e-1", """{"n":1}"""))],
            CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal([1], Ns(Assert.Single(log.To("/batch"))));
        Assert.Equal([HandlerResult.Failure, HandlerResult.Success], results);
    }

    [Fact]
    public async Task App_answer_that_breaks_off_mid_body_is_a_retriable_failure_of_its_bulk_and_goes_to_the_dead_letter_topic()
    {
        // daprd postman/http/http.go:292-299: a 2xx body that cannot be decoded fails the bulk's entries ("failed
        // unmarshalling app response"); bulksubscription.go:196-208 then sends them to the DLQ and acknowledges them.
        // Ours reads the body outside the try (BulkAppDelivery.cs:121), so the HttpRequestException escapes HandleAsync.
        // A bare loopback "app": 404 to every GET, and to the POST a 200 whose body ends (FIN, no reset) after 13 of its
        // 1,000 bytes, so the headers always arrive and only the body read fails.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeTruncatedBulkAnswersAsync(listener, stop.Token);
        await using var app = await SidecarHarness.StartAsync(
            "subscriber",
            Resources(),
            configureSidecar: o => o with { AppPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port });
        var dispatcher = app.Sidecar.Services.GetRequiredService<BulkMessageDispatcher>();
        var subscription = new Subscription(Pubsub, "orders", [new RouteRule(null, "/batch")], "orders-dead", new Dictionary<string, string>(), SubscriptionSource.Programmatic, new BulkSubscribeOptions(true, 10, 10));
        var deadLetters = new RecordingPubSub();

        var results = await dispatcher.HandleAsync(subscription, deadLetters, [Entry(CloudEvent("e-1", """{"n":1}"""))], CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal([HandlerResult.Success], results);
        Assert.Equal(["orders-dead"], deadLetters.Published.Select(m => m.Topic));
        await stop.CancelAsync();
        listener.Stop();
        await serving;
    }

    private static async Task ServeTruncatedBulkAnswersAsync(System.Net.Sockets.TcpListener listener, CancellationToken stop)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop);
                connections.Add(Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            var stream = client.GetStream();
                            var buffer = new List<byte>();
                            var chunk = new byte[4096];
                            int headerEnd;
                            while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
                            {
                                var read = await stream.ReadAsync(chunk, stop);
                                if (read == 0)
                                {
                                    return;
                                }

                                buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                            }

                            var head = System.Text.Encoding.ASCII.GetString([.. buffer.Take(headerEnd)]);
                            var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                            while (buffer.Count < headerEnd + 4 + length)
                            {
                                var read = await stream.ReadAsync(chunk, stop);
                                if (read == 0)
                                {
                                    return;
                                }

                                buffer.AddRange(chunk.AsSpan(0, read).ToArray());
                            }

                            var answer = head.StartsWith("POST ", StringComparison.Ordinal)
                                ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"statuses\":["
                                : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(answer), stop);
                            client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                            while (await stream.ReadAsync(chunk, stop) > 0)
                            {
                            }
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                        {
                            // The sidecar went away, or the test is over.
                        }
                    }
                }, CancellationToken.None));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    [Fact]
    public async Task Http_envelope_event_is_the_CloudEvent_as_Go_marshals_a_map_nested_keys_sorted_and_HTML_escaped()
    {
        // daprd unmarshals each entry into map[string]any (bulksubscription.go:134-136) and json.Marshal's the envelope
        // (postman/http/http.go:193): every level's keys sorted and <, >, & escaped as \u003c, \u003e, \u0026.
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(null, log, (_, _) => "SUCCESS");
        var dispatcher = app.Sidecar.Services.GetRequiredService<BulkMessageDispatcher>();
        var subscription = new Subscription(Pubsub, "orders", [new RouteRule(null, "/batch")], null, new Dictionary<string, string>(), SubscriptionSource.Programmatic, new BulkSubscribeOptions(true, 10, 10));

        await dispatcher.HandleAsync(subscription, new RecordingPubSub(), [Entry(CloudEvent("e-1", """{"z":"<b>","n":1}"""))], CancellationToken.None).WaitAsync(Deadline);

        Assert.Contains("\"data\":{\"n\":1,\"z\":\"\\u003cb\\u003e\"}", Assert.Single(log.To("/batch")).BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_bulk_subscriber_answers_a_message_that_arrives_after_it_stopped_with_failure()
    {
        // EnqueueAsync means to return Failure once the subscription is stopping (DefaultBulkSubscriber.cs:86-90), but
        // after DisposeAsync has disposed _stop, reading _stop.Token throws ObjectDisposedException to the component.
        var component = new ConcurrentComponent();
        var subscription = await SubscribeAsync(component, new BulkSubscribeOptions(true, 10, 60_000),
            AllSucceed,
            new FakeTimeProvider());
        await subscription.DisposeAsync();

        Assert.Equal(HandlerResult.Failure, await component.DeliverAsync("late").WaitAsync(Deadline));
    }

    [Fact]
    public async Task Default_bulk_subscriber_answers_a_message_whose_component_call_was_cancelled_with_its_entry_result()
    {
        // daprd default_bulksub.go:107-121: the component's call waits on <-done whatever its ctx does, so the message is
        // answered with the result of the bulk it went out in. Ours (DefaultBulkSubscriber.cs:92) throws on the component's
        // token while the entry stays in the batch and still reaches the app: the component redelivers what the app handled.
        var time = new FakeTimeProvider();
        var component = new ConcurrentComponent();
        var handed = new ConcurrentQueue<string>();
        await using var subscription = await SubscribeAsync(component, new BulkSubscribeOptions(true, 10, 500),
            (entries, _) =>
            {
                foreach (var entry in entries)
                {
                    handed.Enqueue(System.Text.Encoding.UTF8.GetString(entry.Message.Data.Span));
                }

                return Task.FromResult<IReadOnlyList<HandlerResult>>([.. entries.Select(_ => HandlerResult.Success)]);
            },
            time);

        using var componentStop = new CancellationTokenSource();
        var delivered = component.DeliverAsync("1", componentStop.Token);
        await componentStop.CancelAsync();
        await Eventually.WaitAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                return Task.FromResult(handed.Count);
            },
            n => n == 1,
            Deadline,
            "the batch to go once its wait has passed");

        Assert.Equal(["1"], handed);
        Assert.Equal(HandlerResult.Success, await delivered.WaitAsync(Deadline));
    }

    private static BulkMessageEntry Entry(string data) =>
        new(Guid.NewGuid().ToString(), new PubSubMessage("orders", System.Text.Encoding.UTF8.GetBytes(data), null, new Dictionary<string, string>()));

    private static string CloudEvent(string id, string data) =>
        $$"""{"id":"{{id}}","specversion":"1.0","source":"checkout","type":"com.dapr.event.sent","datacontenttype":"application/json","topic":"orders","pubsubname":"pubsub","data":{{data}}}""";

    /// <summary>A component that records what is published to it (the dead-letter topic).</summary>
    private sealed class RecordingPubSub : IPubSub
    {
        public ConcurrentQueue<PubSubMessage> Published { get; } = new();

        public Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
        {
            Published.Enqueue(message);
            return Task.CompletedTask;
        }

        public Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    public sealed record OrderPlaced(string OrderId, decimal Total);

    private static Task<IReadOnlyList<HandlerResult>> AllSucceed(IReadOnlyList<BulkMessageEntry> entries, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<HandlerResult>>([.. entries.Select(_ => HandlerResult.Success)]);

    /// <summary>A bulk subscription to topic "orders" for app "app" over <paramref name="component"/>.</summary>
    private static Task<IAsyncDisposable> SubscribeAsync(IPubSub component, BulkSubscribeOptions options, BulkPubSubHandler handler, TimeProvider time) =>
        DefaultBulkSubscriber.SubscribeAsync(component, new SubscribeRequest("orders", "app", new Dictionary<string, string>()), options, handler, time, NullLogger.Instance, CancellationToken.None);

    private static int[] Ns(RecordedRequest request) =>
        [.. request.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("event").GetProperty("data").GetProperty("n").GetInt32())];

    private static Dictionary<string, string> Resources(params (string Name, string Yaml)[] extra)
    {
        var files = new Dictionary<string, string> { ["pubsub.yaml"] = ComponentYaml.Component(Pubsub, "pubsub.in-memory") };
        foreach (var (name, yaml) in extra)
        {
            files[name] = yaml;
        }

        return files;
    }

    /// <summary>
    /// App "subscriber": answers <c>GET /dapr/subscribe</c> with <paramref name="subscribeJson"/> (404 when null), records
    /// every POST and answers a bulk with a status per entry from <paramref name="status"/> (given the event's <c>n</c> and
    /// the number of times that event has come): a status, <c>"no status"</c> to leave the entry out, or for the whole
    /// bulk a number (an HTTP status) or <c>"not json"</c> (a body that does not parse).
    /// </summary>
    private static Task<SidecarHarness> StartSubscriberAsync(string? subscribeJson, RequestLog log, Func<int, int, string> status, params (string Name, string Yaml)[] resources)
    {
        var attempts = new ConcurrentDictionary<string, int>();
        return SidecarHarness.StartAsync(
            "subscriber",
            Resources(resources),
            app =>
            {
                if (subscribeJson is not null)
                {
                    app.MapGet("/dapr/subscribe", () => Results.Text(subscribeJson, "application/json"));
                }

                app.MapGet("/dapr/config", () => Results.NotFound());
                app.MapPost("/{**path}", async (HttpContext http) =>
                {
                    var request = await log.RecordAsync(http);
                    if (!request.Json.TryGetProperty("entries", out var entries))
                    {
                        return Results.Ok();
                    }

                    var statuses = new List<object>();
                    foreach (var entry in entries.EnumerateArray())
                    {
                        var cloudEvent = entry.GetProperty("event");
                        var attempt = attempts.AddOrUpdate(cloudEvent.GetProperty("id").GetString()!, 1, (_, k) => k + 1);
                        var answer = status(cloudEvent.GetProperty("data").GetProperty("n").GetInt32(), attempt);
                        if (int.TryParse(answer, out var code))
                        {
                            return Results.StatusCode(code);
                        }

                        if (answer == "not json")
                        {
                            return Results.Text("<html/>", "text/html");
                        }

                        if (answer != "no status")
                        {
                            statuses.Add(new { entryId = entry.GetProperty("entryId").GetString(), status = answer });
                        }
                    }

                    return Results.Ok(new { statuses });
                });
            });
    }

    /// <summary>A component that hands each message to the handler as soon as it is given one, without waiting for the last.</summary>
    private sealed class ConcurrentComponent : IPubSub
    {
        private PubSubHandler? _handler;

        public Task<HandlerResult> DeliverAsync(string data, CancellationToken cancellationToken = default) =>
            _handler!(new PubSubMessage("orders", System.Text.Encoding.UTF8.GetBytes(data), null, new Dictionary<string, string>()), cancellationToken);

        public Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken)
        {
            _handler = handler;
            return Task.FromResult<IAsyncDisposable>(new Nothing());
        }

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
