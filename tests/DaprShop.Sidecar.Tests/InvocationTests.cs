using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// Dapr.Client 1.19 marks its service invocation methods obsolete in favour of plain HttpClient;
// services still call them, so the sidecar must serve them exactly as daprd does.
#pragma warning disable CS0618

namespace DaprShop.Sidecar.Tests;

public sealed class InvocationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task InvokeMethodWithResponseAsync_any_verb_passes_verb_path_query_body_headers_and_status(string verb)
    {
        await using var apps = await CallerAndCallee.StartAsync();
        var request = apps.Caller.Client.CreateInvokeMethodRequest(
            new HttpMethod(verb),
            "callee",
            "echo/items/42",
            [new("status", "207"), new("q", "a b")]);
        if (verb != "GET")
        {
            request.Content = new StringContent("{\"n\":1}", Encoding.UTF8, "application/json");
        }

        request.Headers.Add("x-custom", "kept");
        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(request);

        Assert.Equal((HttpStatusCode)207, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("x-echo").Single());
        var seen = Assert.Single(apps.Log.All);
        Assert.Equal(verb, seen.Method);
        Assert.Equal("/echo/items/42", seen.Path);
        Assert.Contains("status=207", seen.Query, StringComparison.Ordinal);
        Assert.Contains("q=a%20b", seen.Query.Replace("+", "%20", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("kept", seen.Header("x-custom"));
        Assert.Equal(verb == "GET" ? string.Empty : "{\"n\":1}", seen.BodyText);
        if (verb != "GET")
        {
            Assert.StartsWith("application/json", seen.Header("content-type"), StringComparison.Ordinal);
        }

        var echoed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(verb, echoed.GetProperty("method").GetString());
    }

    [Fact]
    public async Task InvokeMethodAsync_typed_request_and_response_roundtrip_through_callee()
    {
        await using var apps = await CallerAndCallee.StartAsync();

        var result = await apps.Caller.Client.InvokeMethodAsync<Order, Order>("callee", "orders", new Order("o-1", 3));

        Assert.Equal(new Order("o-1", 6), result);
    }

    [Fact]
    public async Task InvokeMethodAsync_callee_sees_caller_and_callee_ids_trace_and_no_api_token()
    {
        await using var apps = await CallerAndCallee.StartAsync(callerApiToken: "outer-secret");
        using var http = new HttpClient { BaseAddress = apps.Caller.Sidecar.HttpEndpoint };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1.0/invoke/callee/method/echo/headers");
        request.Headers.Add("dapr-api-token", "outer-secret");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(apps.Log.All);
        Assert.Equal("caller", seen.Header("dapr-caller-app-id"));
        Assert.Equal("callee", seen.Header("dapr-callee-app-id"));
        Assert.Null(seen.Header("dapr-api-token"));
        var traceparent = seen.Header("traceparent");
        Assert.NotNull(traceparent);
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", traceparent, StringComparison.Ordinal);
        Assert.DoesNotContain("b7ad6b7169203331", traceparent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeMethodAsync_callee_with_app_token_receives_its_token()
    {
        await using var apps = await CallerAndCallee.StartAsync(calleeAppToken: "app-secret");

        await apps.Caller.Client.InvokeMethodAsync(HttpMethod.Post, "callee", "echo/token");

        Assert.Equal("app-secret", Assert.Single(apps.Log.All).Header("dapr-api-token"));
    }

    [Fact]
    public async Task Invoke_dapr_app_id_header_addresses_the_target_with_the_whole_path()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var http = new HttpClient { BaseAddress = apps.Caller.Sidecar.HttpEndpoint };
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/echo/by-header?x=1") { Content = new StringContent("plain", Encoding.UTF8, "text/plain") };
        request.Headers.Add("dapr-app-id", "callee");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(apps.Log.All);
        Assert.Equal(("PATCH", "/echo/by-header", "?x=1", "plain"), (seen.Method, seen.Path, seen.Query, seen.BodyText));
        Assert.Null(seen.Header("dapr-app-id"));
    }

    [Fact]
    public async Task Invoke_escaped_path_characters_reach_the_app_as_sent()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var http = new HttpClient { BaseAddress = apps.Caller.Sidecar.HttpEndpoint };

        using var response = await http.GetAsync(new Uri("/v1.0/invoke/callee/method/echo/a%2Fb%20c?q=x%26y", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(apps.Log.All);
        Assert.Equal(("/echo/a%2Fb c", "?q=x%26y"), (seen.Path, seen.Query));
    }

    [Fact]
    public async Task InvokeMethodWithResponseAsync_unknown_app_answers_500_err_direct_invoke()
    {
        await using var apps = await CallerAndCallee.StartAsync();

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "nobody", "anything"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.Equal("failed to invoke, id: nobody, err: couldn't find service: nobody", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task InvokeMethodAsync_app_down_throws_invocation_exception_with_err_direct_invoke()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        await apps.Callee.App!.StopAsync();

        var error = await Assert.ThrowsAsync<InvocationException>(() => apps.Caller.Client.InvokeMethodAsync(HttpMethod.Get, "callee", "echo/down"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.Response.StatusCode);
        var body = await error.Response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", body.GetProperty("errorCode").GetString());
        Assert.StartsWith(
            "failed to invoke, id: callee, err: rpc error: code = Internal desc = error invoking app channel: ",
            body.GetProperty("message").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_path_naming_no_app_answers_404_err_direct_invoke()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var http = new HttpClient { BaseAddress = apps.Caller.Sidecar.HttpEndpoint };

        using var response = await http.GetAsync(new Uri("/v1.0/invoke/callee/nomethod", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.Equal("failed getting app id either from the URL path or the header dapr-app-id", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task CreateInvokableHttpClient_streams_a_large_body_both_ways()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var client = DaprClient.CreateInvokeHttpClient("callee", apps.Caller.Sidecar.HttpEndpoint.ToString());
        var payload = new string('x', 3 * 1024 * 1024);

        using var response = await client.PostAsync(new Uri("/mirror", UriKind.Relative), new StringContent(payload, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload.Length, (await response.Content.ReadAsStringAsync()).Length);
    }

    public sealed record Order(string Id, int Quantity);

    [Fact]
    public async Task Grpc_InvokeService_reaches_the_http_app_with_verb_query_body_and_metadata_and_answers_its_body()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(apps.Caller.Sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        var request = new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest
        {
            Id = "callee",
            Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest
            {
                Method = "echo/grpc",
                ContentType = "text/plain",
                Data = new Google.Protobuf.WellKnownTypes.Any { Value = Google.Protobuf.ByteString.CopyFromUtf8("over grpc") },
                HttpExtension = new Dapr.Client.Autogen.Grpc.v1.HTTPExtension { Verb = Dapr.Client.Autogen.Grpc.v1.HTTPExtension.Types.Verb.Put, Querystring = "a=1&b=two" },
            },
        };

        using var call = client.InvokeServiceAsync(request, new global::Grpc.Core.Metadata { { "x-custom", "kept" } });
        var answer = await call;
        var headers = await call.ResponseHeadersAsync;

        var seen = Assert.Single(apps.Log.All);
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("/echo/grpc", seen.Path);
        Assert.Equal("?a=1&b=two", seen.Query);
        Assert.Equal("over grpc", seen.BodyText);
        Assert.StartsWith("text/plain", seen.Header("content-type"), StringComparison.Ordinal);
        Assert.Equal("kept", seen.Header("x-custom"));
        Assert.Equal("caller", seen.Header("dapr-caller-app-id"));
        Assert.Contains("\"body\":\"over grpc\"", answer.Data.Value.ToStringUtf8(), StringComparison.Ordinal);
        Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
        Assert.Equal("200", headers.GetValue("dapr-http-status"));
        Assert.Equal("yes", headers.GetValue("x-echo"));
    }

    [Fact]
    public async Task Grpc_InvokeService_maps_an_app_error_status_to_grpc_with_daprds_error_info()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(apps.Caller.Sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        var e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await client.InvokeServiceAsync(new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest
        {
            Id = "callee",
            Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest
            {
                Method = "echo/missing",
                HttpExtension = new Dapr.Client.Autogen.Grpc.v1.HTTPExtension { Verb = Dapr.Client.Autogen.Grpc.v1.HTTPExtension.Types.Verb.Get, Querystring = "status=404" },
            },
        }));

        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, e.StatusCode);
        Assert.Equal("Not Found", e.Status.Detail);
        var info = global::Grpc.Core.RpcExceptionExtensions.GetRpcStatus(e)!.Details.Single().Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal("dapr.io", info.Domain);
        Assert.Equal("404", info.Metadata["http.code"]);
        Assert.StartsWith("{\"method\":\"GET\"", info.Metadata["http.error_message"], StringComparison.Ordinal);
        Assert.True(info.Metadata["http.error_message"].Length <= 63);
    }

    [Theory]
    [InlineData(false, "failed to invoke, id: callee, err: rpc error: code = InvalidArgument desc = missing HTTP extension field")]
    [InlineData(true, "failed to invoke, id: callee, err: rpc error: code = InvalidArgument desc = invalid HTTP verb")]
    public async Task Grpc_InvokeService_to_an_http_app_needs_an_http_verb(bool withExtension, string message)
    {
        await using var apps = await CallerAndCallee.StartAsync();

        // Dapr.Client's InvokeMethodGrpcAsync sends no HTTP extension: it is meant for apps served over gRPC. The SDK
        // wraps daprd's answer in its InvocationException.
        global::Grpc.Core.RpcException e;
        if (withExtension)
        {
            using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(apps.Caller.Sidecar.GrpcEndpoint);
            e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel).InvokeServiceAsync(new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest
            {
                Id = "callee",
                Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest { Method = "echo/x", HttpExtension = new Dapr.Client.Autogen.Grpc.v1.HTTPExtension() },
            }));
        }
        else
        {
            var wrapped = await Assert.ThrowsAsync<InvocationException>(() => apps.Caller.Client.InvokeMethodGrpcAsync("callee", "echo/x"));
            e = Assert.IsType<global::Grpc.Core.RpcException>(wrapped.InnerException);
        }

        Assert.Equal(global::Grpc.Core.StatusCode.Internal, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Empty(apps.Log.All);
    }

    [Fact]
    public async Task Grpc_InvokeService_to_an_app_nobody_serves_answers_daprds_direct_invoke_error()
    {
        await using var apps = await CallerAndCallee.StartAsync();
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(apps.Caller.Sidecar.GrpcEndpoint);

        var e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel).InvokeServiceAsync(new Dapr.Client.Autogen.Grpc.v1.InvokeServiceRequest
        {
            Id = "nobody",
            Message = new Dapr.Client.Autogen.Grpc.v1.InvokeRequest { Method = "x", HttpExtension = new Dapr.Client.Autogen.Grpc.v1.HTTPExtension { Verb = Dapr.Client.Autogen.Grpc.v1.HTTPExtension.Types.Verb.Get } },
        }));

        Assert.Equal(global::Grpc.Core.StatusCode.Internal, e.StatusCode);
        Assert.Equal("failed to invoke, id: nobody, err: couldn't find service: nobody", e.Status.Detail);
    }

    /// <summary>Two apps in one cluster: "caller" (a sidecar only) and "callee" (an app that echoes).</summary>
    private sealed class CallerAndCallee : IAsyncDisposable
    {
        private CallerAndCallee(SidecarHarness caller, SidecarHarness callee, RequestLog log)
        {
            Caller = caller;
            Callee = callee;
            Log = log;
        }

        public SidecarHarness Caller { get; }

        public SidecarHarness Callee { get; }

        public RequestLog Log { get; }

        public static async Task<CallerAndCallee> StartAsync(string? callerApiToken = null, string? calleeAppToken = null)
        {
            var log = new RequestLog();
            var cluster = new LocalCluster();
            var callee = await SidecarHarness.StartAsync(
                "callee",
                new Dictionary<string, string>(),
                app =>
                {
                    app.Map("/echo/{**rest}", async (HttpContext http) =>
                    {
                        var seen = await log.RecordAsync(http);
                        http.Response.StatusCode = int.Parse(http.Request.Query["status"].FirstOrDefault() ?? "200", System.Globalization.CultureInfo.InvariantCulture);
                        http.Response.Headers["x-echo"] = "yes";
                        await http.Response.WriteAsJsonAsync(new { method = seen.Method, path = seen.Path, body = seen.BodyText }, http.RequestAborted);
                    });
                    app.MapPost("/orders", (Order order) => new Order(order.Id, order.Quantity * 2));
                    app.MapPost("/mirror", async (HttpContext http) =>
                    {
                        http.Response.ContentType = "text/plain";
                        await http.Request.Body.CopyToAsync(http.Response.Body, http.RequestAborted);
                    });
                },
                cluster: cluster,
                configureSidecar: o => o with { AppApiToken = calleeAppToken });
            var caller = await SidecarHarness.StartAsync(
                "caller",
                new Dictionary<string, string>(),
                cluster: cluster,
                configureSidecar: o => o with { DaprApiToken = callerApiToken });
            return new CallerAndCallee(caller, callee, log);
        }

        public async ValueTask DisposeAsync()
        {
            await Caller.DisposeAsync();
            await Callee.DisposeAsync();
        }
    }
}
