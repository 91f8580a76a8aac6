using DaprShop.Examples.GrpcEcho;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Bindings;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// daprd's gRPC proxying: a gRPC client calls its sidecar's gRPC port with metadata <c>dapr-app-id</c> and reaches the
/// target app's own gRPC service (the example <c>grpc-echo</c> app, served over h2c with <c>appProtocol: grpc</c>),
/// unary and streaming, with deadlines and cancellation passed through, the API token checked and access control
/// applied by the callee; and service invocation of that app through its <c>AppCallback.OnInvoke</c>, over the HTTP API and
/// the gRPC API's <c>InvokeService</c>, as daprd's gRPC app channel makes it.
/// </summary>
public sealed class GrpcProxyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private const string DenyConfiguration = """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: acl
        spec:
          accessControl:
            defaultAction: deny
            trustDomain: public
            policies:
              - appId: caller
                defaultAction: deny
                trustDomain: public
                namespace: default
                operations:
                  - name: /daprshop.examples.echo.v1.Echo/Say
                    httpVerb: ["POST"]
                    action: allow
        """;

    private const string CallerResiliency = """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: proxy
        spec:
          policies:
            timeouts:
              quick: 300ms
            retries:
              three:
                policy: constant
                duration: 10ms
                maxRetries: 3
          targets:
            apps:
              grpc-echo:
                timeout: quick
                retry: three
        """;

    [Fact]
    public async Task A_unary_call_with_dapr_app_id_reaches_the_apps_service_with_caller_and_callee_ids()
    {
        await using var shop = await EchoShop.StartAsync();
        var client = shop.ClientOf(shop.Caller);

        var reply = await client.SayAsync(new EchoRequest { Text = "hello" }, To("grpc-echo", ("x-custom", "kept")));

        Assert.Equal("hello", reply.Text);
        Assert.Equal("caller", reply.Metadata["dapr-caller-app-id"]);
        Assert.Equal("grpc-echo", reply.Metadata["dapr-callee-app-id"]);
        Assert.Equal("kept", reply.Metadata["x-custom"]);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", reply.Metadata["traceparent"]);
        Assert.False(reply.Metadata.ContainsKey("dapr-app-id"), "daprd takes dapr-app-id off before the app");
    }

    [Fact]
    public async Task Server_streaming_and_bidirectional_streaming_calls_pass_every_message_in_order()
    {
        await using var shop = await EchoShop.StartAsync();
        var client = shop.ClientOf(shop.Caller);

        using var count = client.Count(new CountRequest { Text = "tick", Count = 5 }, To("grpc-echo"));
        var ticks = await count.ResponseStream.ReadAllAsync().Select(r => r.Text).ToListAsync();
        Assert.Equal(["tick 1", "tick 2", "tick 3", "tick 4", "tick 5"], ticks);

        using var chat = client.Chat(To("grpc-echo"));
        foreach (var text in (string[])["one", "two", "three"])
        {
            // Each answer arrives before the next message is sent: the frames flow through as they come.
            await chat.RequestStream.WriteAsync(new EchoRequest { Text = text });
            Assert.True(await chat.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Deadline));
            Assert.Equal(text, chat.ResponseStream.Current.Text);
        }

        await chat.RequestStream.CompleteAsync();
        Assert.False(await chat.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_deadline_reaches_the_app_which_sees_its_call_end()
    {
        await using var shop = await EchoShop.StartAsync();
        var client = shop.ClientOf(shop.Caller);
        var tag = Guid.NewGuid().ToString("N");

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.WaitAsync(new WaitRequest { Tag = tag }, new CallOptions(To("grpc-echo"), DateTime.UtcNow.AddMilliseconds(1500))));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        await Eventually.WaitAsync(() => EchoService.Ended.ContainsKey(tag), Deadline, "the app's call to end at its deadline");
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_it_in_the_app()
    {
        await using var shop = await EchoShop.StartAsync();
        var client = shop.ClientOf(shop.Caller);
        var tag = Guid.NewGuid().ToString("N");
        using var cancel = new CancellationTokenSource();

        using var call = client.WaitAsync(new WaitRequest { Tag = tag }, To("grpc-echo"), cancellationToken: cancel.Token);
        await Eventually.WaitAsync(() => EchoService.Started.ContainsKey(tag), Deadline, "the app to take the call");
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);
        await Eventually.WaitAsync(() => EchoService.Ended.ContainsKey(tag), Deadline, "the app's call to be cancelled");
    }

    [Fact]
    public async Task A_call_without_an_app_id_or_to_an_unknown_app_fails_as_in_daprd()
    {
        await using var shop = await EchoShop.StartAsync();
        var client = shop.ClientOf(shop.Caller);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.Unknown, missing.StatusCode);
        Assert.Equal("failed to proxy request: required metadata dapr-callee-app-id or dapr-app-id not found", missing.Status.Detail);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { Text = "x" }, To("nobody")));
        Assert.Equal(StatusCode.Unknown, unknown.StatusCode);
        Assert.Equal("couldn't find service: nobody", unknown.Status.Detail);
    }

    [Fact]
    public async Task The_callers_api_token_is_checked_and_not_passed_on_while_the_apps_token_is()
    {
        await using var shop = await EchoShop.StartAsync(callerApiToken: "caller-secret", appApiToken: "app-secret");
        var client = shop.ClientOf(shop.Caller);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { Text = "x" }, To("grpc-echo")));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("authentication error: api token mismatch", refused.Status.Detail);

        var reply = await client.SayAsync(new EchoRequest { Text = "x" }, To("grpc-echo", ("dapr-api-token", "caller-secret")));
        Assert.Equal("app-secret", reply.Metadata["dapr-api-token"]);
    }

    [Fact]
    public async Task The_callees_access_control_allows_the_listed_method_whatever_its_verbs_and_denies_the_rest()
    {
        await using var shop = await EchoShop.StartAsync(calleeConfiguration: DenyConfiguration);
        var client = shop.ClientOf(shop.Caller);

        // A gRPC call has no HTTP verb: the operation's action applies as it is (daprd's non-HTTP rule).
        Assert.Equal("allowed", (await client.SayAsync(new EchoRequest { Text = "allowed" }, To("grpc-echo"))).Text);

        using var count = client.Count(new CountRequest { Text = "x", Count = 1 }, To("grpc-echo"));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await count.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("access control policy has denied access to id: spiffe://public/ns/default/caller operation: /daprshop.examples.echo.v1.Echo/Count verb: NONE", e.Status.Detail);
    }

    [Fact]
    public async Task The_apps_own_call_through_its_sidecar_reaches_it_without_caller_ids()
    {
        await using var shop = await EchoShop.StartAsync();

        var reply = await shop.ClientOf(shop.Callee).SayAsync(new EchoRequest { Text = "self" }, To("grpc-echo"));

        Assert.Equal("self", reply.Text);
        Assert.False(reply.Metadata.ContainsKey("dapr-caller-app-id"));
    }

    [Fact]
    public async Task A_nodejs_client_on_grpc_js_reaches_the_app_unary_streaming_and_with_a_deadline()
    {
        // tools/grpc-js-client, installed by `npm ci --prefix tools/grpc-js-client` (.ci/run does it).
        var script = RepositoryFolder.Combine("tools", "grpc-js-client", "call.mjs");
        Assert.True(
            Directory.Exists(RepositoryFolder.Combine("tools", "grpc-js-client", "node_modules", "@grpc", "grpc-js")),
            "@grpc/grpc-js is not installed: run npm ci --prefix tools/grpc-js-client");
        await using var shop = await EchoShop.StartAsync(callerApiToken: "node-secret");

        var start = new System.Diagnostics.ProcessStartInfo("node", [script, $"127.0.0.1:{shop.Caller.Sidecar.GrpcPort}", "grpc-echo", "node-secret"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = System.Diagnostics.Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }


        Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await errors}");
        var result = System.Text.Json.JsonDocument.Parse(await output).RootElement;
        Assert.Equal("from grpc-js", result.GetProperty("say").GetProperty("text").GetString());
        Assert.Equal("caller", result.GetProperty("say").GetProperty("metadata").GetProperty("dapr-caller-app-id").GetString());
        Assert.Equal("from-node", result.GetProperty("say").GetProperty("metadata").GetProperty("x-custom").GetString());
        Assert.Equal(["n 1", "n 2", "n 3"], result.GetProperty("count").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["ping", "pong"], result.GetProperty("chat").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("DEADLINE_EXCEEDED", result.GetProperty("wait").GetString());
    }

    [Fact]
    public async Task The_target_apps_resiliency_policy_retries_a_failing_unary_call_with_its_request_replayed()
    {
        await using var shop = await EchoShop.StartAsync(callerResiliency: CallerResiliency);
        var tag = Guid.NewGuid().ToString("N");

        var reply = await shop.ClientOf(shop.Caller).FlakyAsync(new FlakyRequest { Tag = tag, Failures = 2 }, To("grpc-echo"));

        Assert.Equal("answered on call 3", reply.Text);
        Assert.Equal(3, EchoService.FlakyCalls[tag]);
    }

    [Fact]
    public async Task The_target_apps_timeout_ends_a_unary_call_as_daprd_does_and_the_app_sees_it_end()
    {
        await using var shop = await EchoShop.StartAsync(callerResiliency: CallerResiliency);
        var tag = Guid.NewGuid().ToString("N");

        var e = await Assert.ThrowsAsync<RpcException>(async () => await shop.ClientOf(shop.Caller).WaitAsync(new WaitRequest { Tag = tag }, To("grpc-echo")));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal("context deadline exceeded", e.Status.Detail);
        await Eventually.WaitAsync(() => EchoService.Ended.ContainsKey(tag), Deadline, "the app's call to end with the policy's timeout");
    }

    [Fact]
    public async Task A_call_marked_as_a_stream_is_not_cut_by_the_policys_timeout()
    {
        await using var shop = await EchoShop.StartAsync(callerResiliency: CallerResiliency);
        var tag = Guid.NewGuid().ToString("N");
        var client = shop.ClientOf(shop.Caller);

        // With dapr-stream the policy stays out of the call: the client's own 1.5 s deadline ends it, not the 300 ms timeout.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.WaitAsync(new WaitRequest { Tag = tag }, new CallOptions(To("grpc-echo", ("dapr-stream", "true")), DateTime.UtcNow.AddMilliseconds(1500))));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.NotEqual("context deadline exceeded", e.Status.Detail);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(1400), $"ended after {started.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Http_invocation_of_a_grpc_app_calls_OnInvoke_with_method_verb_query_body_and_the_apps_token()
    {
        await using var shop = await EchoShop.StartAsync(appApiToken: "app-secret");
        using var http = new HttpClient { BaseAddress = shop.Caller.Sidecar.HttpEndpoint };

        using var answer = await http.PostAsync(new Uri("/v1.0/invoke/grpc-echo/method/orders/42?x=1", UriKind.Relative), new StringContent("hi", System.Text.Encoding.UTF8, "text/plain"));

        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        Assert.False(answer.Headers.Contains("dapr-app-grpc-status"));
        var seen = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("orders/42", seen.GetProperty("method").GetString());
        Assert.Equal("Post", seen.GetProperty("verb").GetString());
        Assert.Equal("x=1", seen.GetProperty("query").GetString());
        Assert.Equal("hi", seen.GetProperty("data").GetString());
        Assert.StartsWith("text/plain", seen.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal("caller", seen.GetProperty("caller").GetString());
        Assert.Equal("app-secret", seen.GetProperty("token").GetString());
    }

    [Fact]
    public async Task An_OnInvoke_error_reaches_an_http_caller_as_daprds_status_and_json_and_a_grpc_caller_as_it_is()
    {
        await using var shop = await EchoShop.StartAsync();
        using var http = new HttpClient { BaseAddress = shop.Caller.Sidecar.HttpEndpoint };

        using var answer = await http.GetAsync(new Uri("/v1.0/invoke/grpc-echo/method/missing", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("""{"code":5,"message":"no method missing here"}""", await answer.Content.ReadAsStringAsync());
        Assert.False(answer.Headers.Contains("dapr-app-grpc-status"));

        using var channel = GrpcChannel.ForAddress(shop.Caller.Sidecar.GrpcEndpoint);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel).InvokeServiceAsync(
            new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest { Id = "grpc-echo", Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest { Method = "missing" } }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("no method missing here", e.Status.Detail);
    }

    [Fact]
    public async Task InvokeService_to_a_grpc_app_passes_the_message_without_an_http_extension_as_daprd_does()
    {
        await using var shop = await EchoShop.StartAsync();
        using var channel = GrpcChannel.ForAddress(shop.Caller.Sidecar.GrpcEndpoint);

        var answer = await new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel).InvokeServiceAsync(new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest
        {
            Id = "grpc-echo",
            Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest
            {
                Method = "ping",
                ContentType = "application/octet-stream",
                Data = new Google.Protobuf.WellKnownTypes.Any { Value = Google.Protobuf.ByteString.CopyFromUtf8("raw") },
            },
        });

        Assert.Equal("application/json", answer.ContentType);
        var seen = System.Text.Json.JsonDocument.Parse(answer.Data.Value.ToStringUtf8()).RootElement;
        Assert.Equal("ping", seen.GetProperty("method").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, seen.GetProperty("verb").ValueKind);
        Assert.Equal("raw", seen.GetProperty("data").GetString());
        Assert.Equal("caller", seen.GetProperty("caller").GetString());

        // Dapr.Client's InvokeMethodGrpcAsync (obsolete in the SDK, still what its users call), meant for apps served over
        // gRPC, works against one.
#pragma warning disable CS0618
        await shop.Caller.Client.InvokeMethodGrpcAsync("grpc-echo", "ping");
#pragma warning restore CS0618
    }

    [Fact]
    public async Task A_grpc_app_subscribes_through_ListTopicSubscriptions_and_gets_events_on_OnTopicEvent_by_route()
    {
        await using var shop = await EchoShop.StartAsync();
        var plain = $"plain-{Guid.NewGuid():N}";
        var urgent = $"urgent-{Guid.NewGuid():N}";

        await shop.Caller.Client.PublishEventAsync("pubsub", "echoes", plain);
        using var http = new HttpClient { BaseAddress = shop.Caller.Sidecar.HttpEndpoint };
        using var published = await http.PostAsync(
            new Uri("/v1.0/publish/pubsub/echoes?metadata.cloudevent.type=important", UriKind.Relative),
            new StringContent(urgent, System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, published.StatusCode);

        var events = await Eventually.WaitAsync(
            () => Task.FromResult(AppCallbackService.Events.Where(e => e.Data.ToStringUtf8().Contains(plain, StringComparison.Ordinal) || e.Data.ToStringUtf8() == urgent).ToList()),
            found => found.Count == 2,
            Deadline,
            "both events to reach the app's OnTopicEvent");

        var first = events.Single(e => e.Data.ToStringUtf8().Contains(plain, StringComparison.Ordinal));
        Assert.Equal($"\"{plain}\"", first.Data.ToStringUtf8());
        Assert.Equal("application/json", first.DataContentType);
        Assert.Equal("echoes", first.Path);
        Assert.Equal("pubsub", first.PubsubName);
        Assert.Equal("echoes", first.Topic);
        Assert.Equal("caller", first.Source);
        Assert.Equal("com.dapr.event.sent", first.Type);
        Assert.Equal("1.0", first.SpecVersion);
        Assert.Equal("echoes", first.Extensions.Fields["topic"].StringValue);
        Assert.StartsWith("00-", first.Extensions.Fields["traceparent"].StringValue, StringComparison.Ordinal);

        var second = events.Single(e => e.Data.ToStringUtf8() == urgent);
        Assert.Equal("important", second.Path);
        Assert.Equal("important", second.Type);
        Assert.StartsWith("text/plain", second.DataContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grpc_app_bulk_subscription_gets_its_events_on_OnBulkTopicEvent_and_DROP_is_not_delivered_again()
    {
        await using var shop = await EchoShop.StartAsync();
        var marker = $"bulk-{Guid.NewGuid():N}";

        await shop.Caller.Client.PublishEventAsync("pubsub", "echo-batches", "drop");
        await shop.Caller.Client.PublishEventAsync("pubsub", "echo-batches", marker);

        var batches = await Eventually.WaitAsync(
            () => Task.FromResult(AppCallbackService.Batches.Where(b => b.Topic == "echo-batches").ToList()),
            found => found.Exists(b => b.Entries.Any(e => e.CloudEvent.Data.ToStringUtf8().Contains(marker, StringComparison.Ordinal))),
            Deadline,
            "the marker to reach the app's OnBulkTopicEvent");

        // pubsub.in-memory hands over one message at a time: one event per bulk, the dropped one not again.
        Assert.Equal(["\"drop\"", $"\"{marker}\""], batches.Select(b => Assert.Single(b.Entries).CloudEvent.Data.ToStringUtf8()).Where(d => d == "\"drop\"" || d.Contains(marker, StringComparison.Ordinal)).TakeLast(2));
        var bulk = batches[^1];
        Assert.Equal("com.dapr.event.sent.bulk", bulk.Type);
        Assert.Equal("batches", bulk.Path);
        Assert.Equal("pubsub", bulk.PubsubName);
        Assert.Equal("pubsub", bulk.Metadata["pubsubName"]);
        Assert.True(Guid.TryParse(bulk.Id, out _));
        var entry = bulk.Entries[0];
        Assert.True(Guid.TryParse(entry.EntryId, out _));
        // daprd passes the component's own content type on gRPC, and pubsub.in-memory has none (HTTP gets the CloudEvent default).
        Assert.Equal(string.Empty, entry.ContentType);
        Assert.Equal("caller", entry.CloudEvent.Source);
        Assert.Equal("com.dapr.event.sent", entry.CloudEvent.Type);
        Assert.Equal("application/json", entry.CloudEvent.DataContentType);
        Assert.Equal("echo-batches", entry.CloudEvent.Extensions.Fields["topic"].StringValue);
    }

    [Fact]
    public async Task A_grpc_app_is_probed_on_AppCallbackHealthCheck_and_refuses_invocation_while_unhealthy()
    {
        await using var shop = await EchoShop.StartAsync(calleeHealthCheck: new AppHealthCheckOptions { ProbeInterval = TimeSpan.FromMilliseconds(50), ProbeTimeout = TimeSpan.FromMilliseconds(50), Threshold = 1 });
        using var http = new HttpClient { BaseAddress = shop.Caller.Sidecar.HttpEndpoint };
        var invoke = new Uri("/v1.0/invoke/grpc-echo/method/ping", UriKind.Relative);
        try
        {
            HealthCheckService.Healthy = false;
            var refused = await Eventually.WaitAsync(() => http.PostAsync(invoke, null), r => r.StatusCode == System.Net.HttpStatusCode.InternalServerError, Deadline, "invocation to be refused");
            Assert.Contains("app is not in a healthy state", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            HealthCheckService.Healthy = true;
        }

        await Eventually.WaitAsync(() => http.PostAsync(invoke, null), r => r.IsSuccessStatusCode, Deadline, "invocation to work once healthy");
    }

    [Fact]
    public async Task A_grpc_app_gets_the_input_bindings_it_lists_on_OnBindingEvent_and_its_answer_goes_to_the_output_bindings_it_names()
    {
        await using var shop = await EchoShop.StartAsync(calleeResources: new Dictionary<string, string>
        {
            ["ticks.yaml"] = ComponentYaml.Component("ticks-to-files", "bindings.cron", ("schedule", "@every 1s")),
            ["unlisted.yaml"] = ComponentYaml.Component("unlisted", "bindings.cron", ("schedule", "@every 1s")),
            ["files.yaml"] = ComponentYaml.Component("files", "bindings.localstorage", ("rootPath", "out/files")),
        });

        var ticks = await Eventually.WaitAsync(
            () => Task.FromResult(AppCallbackService.BindingEvents.Where(e => e.Name == "ticks-to-files").ToList()),
            found => found.Count >= 1,
            Deadline,
            "a tick to reach the app's OnBindingEvent");
        Assert.Equal("Local", ticks[0].Metadata["timeZone"]);
        Assert.EndsWith(" +0000 UTC", ticks[0].Metadata["readTimeUTC"], StringComparison.Ordinal);
        Assert.True(ticks[0].Data.IsEmpty);
        var folder = Path.Combine(shop.Callee.ResourcesPath, "out", "files");
        var written = await Eventually.WaitAsync(
            () => Task.FromResult(Directory.GetFiles(folder)),
            files => files.Length >= 1,
            Deadline,
            "the app's answer to be written by output binding files");
        Assert.Equal("tick from grpc-echo", await File.ReadAllTextAsync(written[0]));
        Assert.DoesNotContain(AppCallbackService.BindingEvents, e => e.Name == "unlisted");
        Assert.Equal(["ticks-to-files"], shop.Callee.Sidecar.Services.GetRequiredService<InputBindingManager>().Taken);
    }

    [Fact]
    public async Task A_grpc_request_the_dapr_service_does_not_take_still_needs_the_api_token()
    {
        await using var shop = await EchoShop.StartAsync(callerApiToken: "caller-secret");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(shop.Caller.Sidecar.GrpcEndpoint, "/dapr.proto.runtime.v1.Dapr/a/b"))
        {
            Content = new ByteArrayContent([]),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        request.Headers.Add("dapr-app-id", "grpc-echo");

        using var answer = await http.SendAsync(request);

        Assert.Equal(((int)StatusCode.Unauthenticated).ToString(System.Globalization.CultureInfo.InvariantCulture), answer.Headers.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task A_streaming_call_not_marked_dapr_stream_under_a_timeout_policy_ends_at_the_timeout_instead_of_hanging()
    {
        await using var shop = await EchoShop.StartAsync(callerResiliency: CallerResiliency);

        // The sidecar reads a call under a policy whole before it sends it on; a stream that stays open meets the timeout.
        using var chat = shop.ClientOf(shop.Caller).Chat(new CallOptions(To("grpc-echo"), DateTime.UtcNow.AddSeconds(30)));
        await chat.RequestStream.WriteAsync(new EchoRequest { Text = "one" });
        var e = await Assert.ThrowsAsync<RpcException>(async () => await chat.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Deadline));

        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal("context deadline exceeded", e.Status.Detail);
    }

    [Fact]
    public async Task The_apps_own_proxied_call_meets_the_global_default_action_as_in_daprd()
    {
        await using var shop = await EchoShop.StartAsync(calleeConfiguration: DenyConfiguration);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await shop.ClientOf(shop.Callee).SayAsync(new EchoRequest { Text = "self" }, To("grpc-echo")));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Equal("access control policy has denied access to id:  operation: /daprshop.examples.echo.v1.Echo/Say verb: NONE", e.Status.Detail);
    }

    [Fact]
    public async Task Access_control_matches_a_grpc_apps_methods_exactly_as_daprd_does()
    {
        // For an app served over gRPC daprd keeps operation names as written: a rule in lower case does not match Say.
        var lowercase = DenyConfiguration.Replace("/daprshop.examples.echo.v1.Echo/Say", "/daprshop.examples.echo.v1.echo/say", StringComparison.Ordinal);
        Assert.NotEqual(DenyConfiguration, lowercase);
        await using var shop = await EchoShop.StartAsync(calleeConfiguration: lowercase);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await shop.ClientOf(shop.Caller).SayAsync(new EchoRequest { Text = "x" }, To("grpc-echo")));

        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    /// <summary>Call metadata naming the target app, and more.</summary>
    private static global::Grpc.Core.Metadata To(string appId, params (string Name, string Value)[] more)
    {
        var metadata = new global::Grpc.Core.Metadata { { "dapr-app-id", appId } };
        foreach (var (name, value) in more)
        {
            metadata.Add(name, value);
        }

        return metadata;
    }

    /// <summary>The grpc-echo app and its sidecar, and a caller app's sidecar, in one cluster.</summary>
    private sealed class EchoShop : IAsyncDisposable
    {
        private readonly List<GrpcChannel> _channels = [];

        private EchoShop(WebApplication app, SidecarHarness callee, SidecarHarness caller)
        {
            App = app;
            Callee = callee;
            Caller = caller;
        }

        public WebApplication App { get; }

        public SidecarHarness Callee { get; }

        public SidecarHarness Caller { get; }

        public static async Task<EchoShop> StartAsync(string? callerApiToken = null, string? appApiToken = null, string? calleeConfiguration = null, string? callerResiliency = null, AppHealthCheckOptions? calleeHealthCheck = null, Dictionary<string, string>? calleeResources = null)
        {
            var port = FreePort.Next();
            var app = EchoApp.Build(port);
            await app.StartAsync();
            var cluster = new LocalCluster();
            var pubsub = ComponentYaml.Component("pubsub", "pubsub.in-memory");
            var resources = new Dictionary<string, string>(calleeResources ?? []) { ["pubsub.yaml"] = pubsub };
            if (calleeConfiguration is not null)
            {
                resources["config.yaml"] = calleeConfiguration;
            }

            var callee = await SidecarHarness.StartAsync(
                "grpc-echo",
                resources,
                cluster: cluster,
                configureSidecar: o => o with
                {
                    AppPort = port,
                    AppProtocol = SidecarOptions.GrpcAppProtocol,
                    AppApiToken = appApiToken,
                    EnableMtls = true,
                    AppHealthCheck = calleeHealthCheck,
                    ConfigFilePath = calleeConfiguration is null ? null : Path.Combine(o.ResourcesPaths[0], "config.yaml"),
                });
            var callerResources = new Dictionary<string, string> { ["pubsub.yaml"] = pubsub };
            if (callerResiliency is not null)
            {
                callerResources["resiliency.yaml"] = callerResiliency;
            }

            var caller = await SidecarHarness.StartAsync("caller", callerResources, cluster: cluster, configureSidecar: o => o with { DaprApiToken = callerApiToken, EnableMtls = true });
            return new EchoShop(app, callee, caller);
        }

        public Echo.EchoClient ClientOf(SidecarHarness sidecar)
        {
            var channel = GrpcChannel.ForAddress(sidecar.Sidecar.GrpcEndpoint);
            _channels.Add(channel);
            return new Echo.EchoClient(channel);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }

            await Caller.DisposeAsync();
            await Callee.DisposeAsync();
            await App.DisposeAsync();
        }
    }
}
