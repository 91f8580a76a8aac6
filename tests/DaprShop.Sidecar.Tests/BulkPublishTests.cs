using System.Net;
using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.PubSub;
using DaprShop.Sidecar.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// Bulk publishing as daprd 1.18 runs it for a broker without a bulk API of its own: over gRPC (Dapr.Client's
/// <c>BulkPublishEventAsync</c>) and over HTTP (<c>/v1.0-alpha1/publish/bulk</c>), every entry its own CloudEvent.
/// </summary>
public sealed class BulkPublishTests
{
    private const string Subscriptions = """[{"pubsubname":"pubsub","topic":"batch","route":"/on-batch"}]""";

    [Fact]
    public async Task BulkPublishEventAsync_of_the_sdk_delivers_each_event_as_its_own_cloud_event()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(log);

        var response = await app.Client.BulkPublishEventAsync("pubsub", "batch", new[] { new { n = 1 }, new { n = 2 }, new { n = 3 } });

        Assert.Empty(response.FailedEntries);
        var delivered = await log.WaitForAsync("/on-batch", 3);
        // daprd publishes a bulk's entries in parallel, so they arrive in no set order.
        Assert.Equal([1, 2, 3], delivered.Select(d => d.Json.GetProperty("data").GetProperty("n").GetInt32()).Order());
        Assert.Equal(3, delivered.Select(d => d.Json.GetProperty("id").GetString()).Distinct().Count());
        Assert.All(delivered, d => Assert.Equal("bulk-app", d.Json.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task Outbound_retry_runs_around_the_batch_and_publishes_again_only_the_entries_that_failed()
    {
        var broker = new FlakyBroker("b");
        await using var app = await StartWithBrokerAsync(broker, """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: outbound
            spec:
              policies:
                retries:
                  again: { policy: constant, duration: 10ms, maxRetries: 2 }
              targets:
                components:
                  pubsub:
                    outbound: { retry: again }
            """);

        var response = await app.Client.BulkPublishEventAsync("pubsub", "batch", Letters);

        Assert.Empty(response.FailedEntries);
        Assert.Equal([("a", 1), ("b", 2), ("c", 1)], broker.Attempts.OrderBy(a => a.Key).Select(a => (a.Key, a.Value)));
    }

    [Fact]
    public async Task Without_a_policy_a_failing_entry_fails_the_call_as_daprd_answers_and_the_rest_are_published_once()
    {
        var broker = new FlakyBroker("b");
        await using var app = await StartWithBrokerAsync(broker, resiliency: null);

        // daprd's gRPC BulkPublishEvent answers any failed entry with an error status (its failed entries go unreported).
        var error = await Assert.ThrowsAsync<Dapr.DaprException>(() => app.Client.BulkPublishEventAsync("pubsub", "batch", Letters));

        var status = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, status.StatusCode);
        Assert.Equal("error when publishing to topic batch in pubsub pubsub: broker refused b", status.Status.Detail);
        Assert.Equal([("a", 1), ("b", 1), ("c", 1)], broker.Attempts.OrderBy(a => a.Key).Select(a => (a.Key, a.Value)));
    }

    [Fact]
    public async Task Entries_are_published_at_the_same_time_as_daprd_publishes_a_bulk_in_parallel()
    {
        var broker = new FlakyBroker { WaitForAll = 3 };
        await using var app = await StartWithBrokerAsync(broker, resiliency: null);

        var response = await app.Client.BulkPublishEventAsync("pubsub", "batch", Letters);

        Assert.Empty(response.FailedEntries);
        Assert.Equal(3, broker.Attempts.Count);
    }

    private static readonly string[] Letters = ["a", "b", "c"];

    private static Task<SidecarHarness> StartWithBrokerAsync(FlakyBroker broker, string? resiliency)
    {
        var resources = new Dictionary<string, string> { ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.flaky") };
        if (resiliency is not null)
        {
            resources["resiliency.yaml"] = resiliency;
        }

        return SidecarHarness.StartAsync(
            "bulk-app",
            resources,
            configureSidecar: o => o with { ComponentTypes = new Dictionary<string, ComponentFactory> { ["pubsub.flaky"] = (_, _) => broker } });
    }

    /// <summary>
    /// A broker that refuses each named event the first time it is published and counts every attempt by event; with
    /// <see cref="WaitForAll"/>, each publish waits (5 s at most) until that many are under way at once.
    /// </summary>
    private sealed class FlakyBroker(params string[] failOnce) : IPubSub
    {
        private readonly TaskCompletionSource _allUnderWay = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _underWay;

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

        public int WaitForAll { get; init; }

        public async Task PublishAsync(PubSubMessage message, CancellationToken cancellationToken)
        {
            var data = CloudEvents.Read(message.Data.Span)![CloudEvents.DataField]!.GetValue<string>();
            var attempt = Attempts.AddOrUpdate(data, 1, (_, n) => n + 1);
            if (WaitForAll > 0)
            {
                if (Interlocked.Increment(ref _underWay) == WaitForAll)
                {
                    _allUnderWay.TrySetResult();
                }

                await _allUnderWay.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }

            if (attempt == 1 && failOnce.Contains(data))
            {
                throw new InvalidOperationException($"broker refused {data}");
            }
        }

        public Task<IAsyncDisposable> SubscribeAsync(SubscribeRequest request, PubSubHandler handler, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    [Fact]
    public async Task Http_bulk_publish_reads_each_entry_by_its_content_type_and_merges_metadata_as_daprd()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };
        const string Entries = """
            [
              {"entryId":"a","event":{"z":1,"a":{"y":true,"b":null}},"contentType":"application/json","metadata":{"cloudevent.id":"entry-a"}},
              {"entryId":"b","event":"plain words","contentType":"text/plain"},
              {"entryId":"c","event":"AAEC","contentType":"application/octet-stream","metadata":{}}
            ]
            """;

        using var answer = await http.PostAsync(
            new Uri("/v1.0-alpha1/publish/bulk/pubsub/batch?metadata.cloudevent.type=batch.item", UriKind.Relative),
            new StringContent(Entries, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        // daprd publishes a bulk's entries in parallel, so each delivery is found by what it carries, not by its place.
        var delivered = (await log.WaitForAsync("/on-batch", 3)).Select(d => d.Json).ToList();
        var a = Assert.Single(delivered, d => d.GetProperty("id").GetString() == "entry-a");
        var b = Assert.Single(delivered, d => d.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String && data.GetString() == "plain words");
        var c = Assert.Single(delivered, d => d.TryGetProperty("data_base64", out _));

        // Entry a: its own metadata over the request's; its JSON re-marshalled with sorted keys, as Go does.
        Assert.Equal("batch.item", a.GetProperty("type").GetString());
        Assert.Equal("""{"a":{"b":null,"y":true},"z":1}""", a.GetProperty("data").GetRawText());

        // Entry b has no metadata of its own, so daprd gives it none of the request's either.
        Assert.Equal("com.dapr.event.sent", b.GetProperty("type").GetString());

        // Entry c: base64 decoded to bytes, published as data_base64; an empty metadata object still takes the request's.
        Assert.Equal("AAEC", c.GetProperty("data_base64").GetString());
        Assert.Equal("batch.item", c.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""[{"entryId":"x","event":1,"contentType":"application/json"},{"entryId":"x","event":2,"contentType":"application/json"}]""", "error marshaling events to bytes for topic batch pubsub pubsub. error: entryId is duplicated or not present for entry")]
    [InlineData("""[{"event":1,"contentType":"application/json"}]""", "error marshaling events to bytes for topic batch pubsub pubsub. error: entryId is duplicated or not present for entry")]
    [InlineData("""[{"entryId":"x","event":{"not":"text"},"contentType":"text/plain"}]""", "error when marshalling cloud event envelope for topic batch pubsub pubsub: error: mismatch between contentType and event")]
    [InlineData("""[{"entryId":"x","event":1}]""", "error when marshalling cloud event envelope for topic batch pubsub pubsub: error: mismatch between contentType and event")]
    public async Task Http_bulk_publish_refuses_bad_entries_with_daprds_error(string entries, string message)
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        using var answer = await http.PostAsync(new Uri("/v1.0/publish/bulk/pubsub/batch", UriKind.Relative), new StringContent(entries, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ERR_PUBSUB_EVENTS_SER", error.GetProperty("errorCode").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        await AssertOnlyTheMarkerArrivesAsync(app, log);
    }

    [Fact]
    public async Task Http_bulk_publish_of_a_body_that_is_not_an_array_is_a_bad_request()
    {
        await using var app = await StartSubscriberAsync(new RequestLog());
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        using var answer = await http.PostAsync(new Uri("/v1.0-alpha1/publish/bulk/pubsub/batch", UriKind.Relative), new StringContent("""{"entryId":"x"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.StartsWith("error when unmarshaling the request for topic batch pubsub pubsub: ", JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_bulk_publish_with_a_duplicate_entry_id_is_invalid_and_publishes_nothing()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(log);
        using var channel = GrpcChannel.ForAddress(app.Sidecar.GrpcEndpoint);
        var request = new Autogen.BulkPublishRequest { PubsubName = "pubsub", Topic = "batch" };
        request.Entries.Add(new Autogen.BulkPublishRequestEntry { EntryId = "same", Event = ByteString.CopyFromUtf8("1"), ContentType = "application/json" });
        request.Entries.Add(new Autogen.BulkPublishRequestEntry { EntryId = "same", Event = ByteString.CopyFromUtf8("2"), ContentType = "application/json" });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new Autogen.Dapr.DaprClient(channel).BulkPublishEventAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("error marshaling events to bytes for topic batch pubsub pubsub. error: entryId is duplicated or not present for entry", e.Status.Detail);
        await AssertOnlyTheMarkerArrivesAsync(app, log);
    }

    [Fact]
    public async Task An_entry_whose_cloud_event_cannot_be_made_fails_the_call_before_anything_is_published()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(log);
        using var channel = GrpcChannel.ForAddress(app.Sidecar.GrpcEndpoint);
        var request = new Autogen.BulkPublishRequest { PubsubName = "pubsub", Topic = "batch" };
        request.Entries.Add(new Autogen.BulkPublishRequestEntry { EntryId = "good", Event = ByteString.CopyFromUtf8("1"), ContentType = "application/json" });
        request.Entries.Add(new Autogen.BulkPublishRequestEntry { EntryId = "bad", Event = ByteString.CopyFromUtf8("[1]"), ContentType = "application/cloudevents+json" });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new Autogen.Dapr.DaprClient(channel).BulkPublishEventAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await AssertOnlyTheMarkerArrivesAsync(app, log);
    }

    /// <summary>
    /// Publishes a marker event after a refused call and waits for it: deliveries keep their order, so once the marker has
    /// arrived, anything the refused call published would have arrived before it.
    /// </summary>
    private static async Task AssertOnlyTheMarkerArrivesAsync(SidecarHarness app, RequestLog log)
    {
        await app.Client.PublishEventAsync("pubsub", "batch", new { marker = true });
        var delivered = await log.WaitForAsync("/on-batch");
        Assert.True(Assert.Single(delivered).Json.GetProperty("data").GetProperty("marker").GetBoolean());
    }

    private static Task<SidecarHarness> StartSubscriberAsync(RequestLog log) =>
        SidecarHarness.StartAsync(
            "bulk-app",
            new Dictionary<string, string> { ["pubsub.yaml"] = ComponentYaml.Component("pubsub", "pubsub.in-memory") },
            app =>
            {
                app.MapGet("/dapr/subscribe", () => Results.Text(Subscriptions, "application/json"));

                // No actors: without this the catch-all POST answers 405 and the sidecar asks again three times (2.25 s).
                app.MapGet("/dapr/config", () => Results.NotFound());
                app.MapPost("/{**path}", async (HttpContext http) =>
                {
                    await log.RecordAsync(http);
                    return Results.Ok();
                });
            });
}
