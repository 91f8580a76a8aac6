using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.PubSub;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests;

public sealed class PubSubTests
{
    private const string Pubsub = "pubsub";
    private static readonly string PubsubComponent = ComponentYaml.Component(Pubsub, "pubsub.in-memory");

    [Fact]
    public async Task PublishEventAsync_delivers_daprd_cloud_event_to_the_subscriber_route()
    {
        var cluster = new LocalCluster();
        var log = new RequestLog();
        await using var subscriber = await StartSubscriberAsync("notifier", """[{"pubsubname":"pubsub","topic":"orders","route":"/on-order"}]""", log, cluster: cluster);
        await using var publisher = await SidecarHarness.StartAsync("checkout", Resources(), cluster: cluster);

        await publisher.Client.PublishEventAsync(Pubsub, "orders", new { orderId = "o-1", amount = 5 });

        var delivered = Assert.Single(await log.WaitForAsync("/on-order"));
        Assert.Equal("POST", delivered.Method);
        Assert.Equal("application/cloudevents+json", delivered.Header("content-type"));
        Assert.Equal(Pubsub, delivered.Header("pubsubname"));
        var ce = delivered.Json;
        Assert.True(Guid.TryParse(ce.GetProperty("id").GetString(), out _));
        Assert.Equal("1.0", ce.GetProperty("specversion").GetString());
        Assert.Equal("checkout", ce.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", ce.GetProperty("type").GetString());
        Assert.Equal("orders", ce.GetProperty("topic").GetString());
        Assert.Equal(Pubsub, ce.GetProperty("pubsubname").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("o-1", ce.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal(5, ce.GetProperty("data").GetProperty("amount").GetInt32());
        var traceparent = ce.GetProperty("traceparent").GetString()!;
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", traceparent);
        Assert.Equal(traceparent, ce.GetProperty("traceid").GetString());
        Assert.Equal(traceparent[3..35], delivered.Header("traceparent")![3..35]);
        Assert.True(DateTimeOffset.TryParseExact(ce.GetProperty("time").GetString(), "yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
    }

    [Fact]
    public async Task PublishEvent_http_applies_cloudevent_metadata_overrides_and_text_data()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync("orders", """[{"pubsubName":"pubsub","topic":"notes","route":"notes"}]""", log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        using var response = await http.PostAsync(
            new Uri("/v1.0/publish/pubsub/notes?metadata.cloudevent.type=note.added&metadata.CloudEvent.Id=fixed-id", UriKind.Relative),
            new StringContent("hello", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var ce = Assert.Single(await log.WaitForAsync("/notes")).Json;
        Assert.Equal("note.added", ce.GetProperty("type").GetString());
        Assert.Equal("fixed-id", ce.GetProperty("id").GetString());
        Assert.Equal("hello", ce.GetProperty("data").GetString());
        Assert.StartsWith("text/plain", ce.GetProperty("datacontenttype").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishEvent_http_cloud_event_body_keeps_its_fields_and_gets_topic_and_pubsubname()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync("orders", """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""", log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };
        const string Event = """{"id":"ce-1","source":"legacy","type":"order.placed","specversion":"1.0","topic":"wrong","datacontenttype":"application/json","data":{"n":1}}""";

        using var response = await http.PostAsync(
            new Uri("/v1.0/publish/pubsub/orders", UriKind.Relative),
            new StringContent(Event, Encoding.UTF8, "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var ce = Assert.Single(await log.WaitForAsync("/orders")).Json;
        Assert.Equal(("ce-1", "legacy", "order.placed"), (ce.GetProperty("id").GetString(), ce.GetProperty("source").GetString(), ce.GetProperty("type").GetString()));
        Assert.Equal(("orders", Pubsub), (ce.GetProperty("topic").GetString(), ce.GetProperty("pubsubname").GetString()));
        Assert.Equal(1, ce.GetProperty("data").GetProperty("n").GetInt32());
        Assert.True(ce.TryGetProperty("time", out _));
    }

    [Fact]
    public async Task PublishEvent_http_raw_payload_reaches_a_raw_subscription_as_data_base64()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """[{"pubsubname":"pubsub","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}]""",
            log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        using var response = await http.PostAsync(
            new Uri("/v1.0/publish/pubsub/raw?metadata.rawPayload=true", UriKind.Relative),
            new ByteArrayContent([1, 2, 3, 250]));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var ce = Assert.Single(await log.WaitForAsync("/raw")).Json;
        Assert.Equal("application/octet-stream", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(Convert.ToBase64String([1, 2, 3, 250]), ce.GetProperty("data_base64").GetString());
        Assert.Equal("raw", ce.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task PublishEventAsync_unknown_pubsub_fails_with_invalid_argument_and_http_404()
    {
        await using var app = await SidecarHarness.StartAsync("orders", Resources());
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        var error = await Assert.ThrowsAsync<DaprException>(() => app.Client.PublishEventAsync("nope", "orders", new { n = 1 }));
        using var response = await http.PostAsync(new Uri("/v1.0/publish/nope/orders", UriKind.Relative), new StringContent("{}"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("pubsub nope not found", rpc.Status.Detail);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", body.GetProperty("errorCode").GetString());
    }

    [Theory]
    [InlineData("RETRY")]
    [InlineData("500")]
    public async Task Subscriber_answering_retry_or_an_error_status_gets_the_event_again(string firstAnswer)
    {
        var clock = new FakeTimeProvider();
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""",
            log,
            (_, attempt) => attempt == 1 ? Answer(firstAnswer) : Results.Ok(new { status = "SUCCESS" }),
            time: clock);

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });

        await clock.AdvanceUntilAsync(InMemoryPubSub.RedeliveryDelay, () => log.To("/orders").Count >= 2, TimeSpan.FromSeconds(10), "the redelivery");
        var deliveries = log.To("/orders");
        Assert.Equal(deliveries[0].Json.GetProperty("id").GetString(), deliveries[1].Json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Subscriber_always_retrying_without_dead_letter_topic_gets_ten_deliveries_then_the_next_event()
    {
        var clock = new FakeTimeProvider();
        var firstEventTimes = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""",
            log,
            (request, _) =>
            {
                if (N(request) != 1)
                {
                    return Results.Ok();
                }

                firstEventTimes.Enqueue(clock.GetUtcNow());
                return Answer("RETRY");
            },
            time: clock);

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });

        await clock.AdvanceUntilAsync(InMemoryPubSub.RedeliveryDelay, () => log.To("/orders").Any(r => N(r) == 2), TimeSpan.FromSeconds(10), "the second event");
        Assert.Equal(10, log.To("/orders").Count(r => N(r) == 1));

        // Each redelivery waited out the delay on the sidecar's clock.
        var times = firstEventTimes.ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= InMemoryPubSub.RedeliveryDelay, $"{pair.First:O} then {pair.Second:O}"));
    }

    [Theory]
    [InlineData("DROP")]
    [InlineData("404")]
    public async Task Subscriber_answering_drop_or_404_does_not_get_the_event_again(string answer)
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""",
            log,
            (request, _) => request.Json.GetProperty("data").GetProperty("n").GetInt32() == 1 ? Answer(answer) : Results.Ok());

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 1 });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 2 });

        // Deliveries are in order: once the second event arrived, the first was settled.
        await Eventually.WaitAsync(() => log.To("/orders").Any(r => N(r) == 2), TimeSpan.FromSeconds(10), "the second event");
        Assert.Single(log.To("/orders"), r => N(r) == 1);
    }

    [Theory]
    [InlineData("RETRY")]
    [InlineData("DROP")]
    public async Task Subscriber_failing_with_dead_letter_topic_sends_the_event_there(string answer)
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """
            [
              {"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"orders-dead"},
              {"pubsubname":"pubsub","topic":"orders-dead","route":"/dead"}
            ]
            """,
            log,
            (request, _) => request.Path == "/orders" ? Answer(answer) : Results.Ok());

        await app.Client.PublishEventAsync(Pubsub, "orders", new { n = 7 });

        var dead = Assert.Single(await log.WaitForAsync("/dead"));
        var original = Assert.Single(log.To("/orders"));
        Assert.Equal(original.Json.GetProperty("id").GetString(), dead.Json.GetProperty("id").GetString());
        Assert.Equal("orders", dead.Json.GetProperty("topic").GetString());
        Assert.Equal(7, dead.Json.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Routes_rules_pick_the_first_matching_path_else_the_default()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """
            [{"pubsubname":"pubsub","topic":"orders","routes":{
              "rules":[
                {"match":"event.type == \"order.created\"","path":"/created"},
                {"match":"(event.data.priority == 'high' || event.data.priority == 'urgent') && event.source != 'batch'","path":"/urgent"}
              ],
              "default":"/other"}}]
            """,
            log);

        await app.Client.PublishEventAsync(Pubsub, "orders", new { priority = "high" }, new Dictionary<string, string> { ["cloudevent.type"] = "order.created" });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { priority = "urgent" });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { priority = "high" }, new Dictionary<string, string> { ["cloudevent.source"] = "batch" });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { priority = "low" });

        await log.WaitForAsync("/other", 2);
        Assert.Single(log.To("/created"));
        Assert.Equal("urgent", Assert.Single(log.To("/urgent")).Json.GetProperty("data").GetProperty("priority").GetString());
    }

    [Fact]
    public async Task Declarative_subscriptions_v2alpha1_rules_and_v1alpha1_route_are_delivered()
    {
        var log = new RequestLog();
        var resources = Resources(("subscriptions.yaml", """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: orders-sub
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                - match: event.data.kind == "refund"
                  path: /refunds
                default: /orders
            scopes:
            - orders
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata:
              name: audit-sub
            spec:
              pubsubname: pubsub
              topic: audit
              route: /audit
            """));
        await using var app = await StartSubscriberAsync("orders", subscribeJson: null, log, resources: resources);

        await app.Client.PublishEventAsync(Pubsub, "orders", new { kind = "refund" });
        await app.Client.PublishEventAsync(Pubsub, "orders", new { kind = "sale" });
        await app.Client.PublishEventAsync(Pubsub, "audit", new { kind = "login" });

        await log.WaitForAsync("/refunds");
        await log.WaitForAsync("/orders");
        await log.WaitForAsync("/audit");
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };
        var metadata = await http.GetFromJsonAsync<JsonElement>(new Uri("/v1.0/metadata", UriKind.Relative));
        var subscriptions = metadata.GetProperty("subscriptions").EnumerateArray().ToList();
        Assert.Equal(["audit", "orders"], subscriptions.Select(s => s.GetProperty("topic").GetString()).Order());
        Assert.All(subscriptions, s => Assert.Equal("DECLARATIVE", s.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task StartAsync_declarative_subscription_with_unsupported_match_fails_naming_the_field()
    {
        var resources = SidecarHarness.WriteResources(Resources(("bad.yaml", """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: bad
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                - match: event.type.startsWith("order")
                  path: /orders
            """)));

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Sidecar.StartAsync(
            new SidecarOptions { AppId = "orders", ResourcesPaths = [resources], HttpPort = FreePort.Next(), GrpcPort = FreePort.Next() },
            new LocalCluster()));

        Assert.Equal("subscription 'bad' spec.routes.rules[0].match", error.Field);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_subscriptions_with_an_unsupported_match_are_not_used()
    {
        var log = new RequestLog();
        await using var app = await StartSubscriberAsync(
            "orders",
            """[{"pubsubname":"pubsub","topic":"orders","routes":{"rules":[{"match":"event.data.n > 1","path":"/big"}],"default":"/orders"}}]""",
            log);
        using var http = new HttpClient { BaseAddress = app.Sidecar.HttpEndpoint };

        var metadata = await http.GetFromJsonAsync<JsonElement>(new Uri("/v1.0/metadata", UriKind.Relative));

        Assert.False(metadata.TryGetProperty("subscriptions", out _));
    }

    [Theory]
    [InlineData("event.type.startsWith(\"order\")")]
    [InlineData("size(event.data) == 1")]
    [InlineData("event.data.n > 1")]
    [InlineData("event.type in ['a', 'b']")]
    [InlineData("event.type == 'a' ? true : false")]
    [InlineData("data.type == 'a'")]
    [InlineData("event == 'a'")]
    [InlineData("(event.type == 'a'")]
    public void RouteExpression_Parse_outside_the_supported_subset_throws(string expression)
    {
        var error = Assert.Throws<FormatException>(() => RouteExpression.Parse(expression));

        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event.type == \"a\"", true)]
    [InlineData("event.type != 'a'", false)]
    [InlineData("event.data.n == 2 && !(event.data.flag == false)", true)]
    [InlineData("event.data.n == 2.0 && event.data.n != '2'", true)]
    [InlineData("event.data.missing == 1 || event.data.n == 2", true)]
    [InlineData("event.data.missing == 1 && event.data.n == 3", false)]
    [InlineData("event.data.nested.x == null && event.data.flag", true)]
    public void RouteExpression_Evaluate_follows_cel_semantics(string expression, bool expected)
    {
        var cloudEvent = System.Text.Json.Nodes.JsonNode.Parse("""{"type":"a","data":{"n":2,"flag":true,"nested":{"x":null}}}""")!.AsObject();

        Assert.Equal(expected, RouteExpression.Parse(expression).Evaluate(cloudEvent));
    }

    [Fact]
    public void RouteExpression_Evaluate_missing_field_is_an_error()
    {
        var cloudEvent = System.Text.Json.Nodes.JsonNode.Parse("""{"type":"a","data":{}}""")!.AsObject();

        Assert.Throws<InvalidOperationException>(() => RouteExpression.Parse("event.data.kind == 'x'").Evaluate(cloudEvent));
    }

    [Fact]
    public async Task Two_subscribing_apps_each_get_every_event_once_in_order()
    {
        var cluster = new LocalCluster();
        var first = new RequestLog();
        var second = new RequestLog();
        const string Subscriptions = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";
        await using var a = await StartSubscriberAsync("app-a", Subscriptions, first, cluster: cluster);
        await using var b = await StartSubscriberAsync("app-b", Subscriptions, second, cluster: cluster);

        for (var n = 1; n <= 5; n++)
        {
            await a.Client.PublishEventAsync(Pubsub, "orders", new { n });
        }

        Assert.Equal([1, 2, 3, 4, 5], (await first.WaitForAsync("/orders", 5)).Select(N));
        Assert.Equal([1, 2, 3, 4, 5], (await second.WaitForAsync("/orders", 5)).Select(N));
        Assert.Equal("app-a", second.To("/orders")[0].Json.GetProperty("source").GetString());
    }

    [Fact]
    public async Task PublishEventAsync_reaches_a_Dapr_AspNetCore_subscriber()
    {
        var received = new TaskCompletionSource<OrderPlaced>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await SidecarHarness.StartAsync(
            "orders",
            Resources(),
            web =>
            {
                web.UseCloudEvents();
                web.MapSubscribeHandler();
                web.MapPost("/order-placed", (OrderPlaced order) =>
                {
                    received.TrySetResult(order);
                    return Results.Ok();
                }).WithTopic(Pubsub, "order-placed");
            },
            builder => builder.Services.AddDaprClient());

        await app.Client.PublishEventAsync(Pubsub, "order-placed", new OrderPlaced("o-9", 12.5m));

        Assert.Equal(new OrderPlaced("o-9", 12.5m), await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public sealed record OrderPlaced(string OrderId, decimal Total);

    private static int N(RecordedRequest request) => request.Json.GetProperty("data").GetProperty("n").GetInt32();

    private static IResult Answer(string answer) => int.TryParse(answer, out var status)
        ? Results.StatusCode(status)
        : Results.Ok(new { status = answer });

    private static Dictionary<string, string> Resources(params (string Name, string Yaml)[] extra)
    {
        var files = new Dictionary<string, string> { ["pubsub.yaml"] = PubsubComponent };
        foreach (var (name, yaml) in extra)
        {
            files[name] = yaml;
        }

        return files;
    }

    /// <summary>
    /// An app that answers <c>GET /dapr/subscribe</c> with <paramref name="subscribeJson"/> (404 when
    /// null) and records every other request; <paramref name="respond"/> gets each request and the
    /// number of deliveries of its event id so far.
    /// </summary>
    private static Task<SidecarHarness> StartSubscriberAsync(
        string appId,
        string? subscribeJson,
        RequestLog log,
        Func<RecordedRequest, int, IResult>? respond = null,
        LocalCluster? cluster = null,
        Dictionary<string, string>? resources = null,
        TimeProvider? time = null)
    {
        var attempts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        return SidecarHarness.StartAsync(
            appId,
            resources ?? Resources(),
            app =>
            {
                if (subscribeJson is not null)
                {
                    app.MapGet("/dapr/subscribe", () => Results.Text(subscribeJson, "application/json"));
                }

                // No actors, answered as an app without them answers: otherwise the catch-all POST route answers 405,
                // and the sidecar reads the actor configuration again three times (2.25 s on its clock) before it goes on.
                app.MapGet("/dapr/config", () => Results.NotFound());
                app.MapPost("/{**path}", async (HttpContext http) =>
                {
                    var request = await log.RecordAsync(http);
                    var id = request.Json.GetProperty("id").GetString() ?? string.Empty;
                    var attempt = attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
                    return respond?.Invoke(request, attempt) ?? Results.Ok();
                });
            },
            cluster: cluster,
            configureSidecar: options => options with { Time = time ?? TimeProvider.System });
    }
}
