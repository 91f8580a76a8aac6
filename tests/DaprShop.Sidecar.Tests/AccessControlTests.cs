using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// Dapr.Client 1.19 marks its service invocation methods obsolete in favour of plain HttpClient;
// services still call them, so the sidecar must serve them exactly as daprd does.
#pragma warning disable CS0618

namespace DaprShop.Sidecar.Tests;

public sealed class AccessControlTests
{
    private const string Configuration = """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: callee-config
        spec:
          accessControl:
            defaultAction: deny
            trustDomain: public
            policies:
            - appId: frontend
              defaultAction: deny
              trustDomain: public
              namespace: default
              operations:
              - name: /orders/*
                httpVerb: ['GET']
                action: allow
              - name: /admin/**
                httpVerb: ['*']
                action: deny
              - name: /public/**
                httpVerb: ['*']
                action: allow
        """;

    [Theory]
    [InlineData("frontend", "GET", "orders/42", HttpStatusCode.OK)]
    [InlineData("frontend", "GET", "ORDERS/42", HttpStatusCode.OK)]
    [InlineData("frontend", "POST", "orders/42", HttpStatusCode.Forbidden)]
    [InlineData("frontend", "GET", "orders/42/lines", HttpStatusCode.Forbidden)]
    [InlineData("frontend", "DELETE", "public/a/b/c", HttpStatusCode.OK)]
    [InlineData("frontend", "GET", "admin/users", HttpStatusCode.Forbidden)]
    [InlineData("frontend", "GET", "elsewhere", HttpStatusCode.Forbidden)]
    [InlineData("stranger", "GET", "orders/42", HttpStatusCode.Forbidden)]
    public async Task InvokeMethodWithResponseAsync_policy_decides_by_caller_operation_and_verb(string callerId, string verb, string method, HttpStatusCode expected)
    {
        await using var apps = await StartAsync(callerId);

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(new HttpMethod(verb), "callee", method));

        Assert.Equal(expected, response.StatusCode);
        // The sidecar's own start-up reads (subscriptions, actor configuration) are not invocations.
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, apps.Log.All.Count(r => r.Path is not ("/dapr/subscribe" or "/dapr/config")));
    }

    [Fact]
    public async Task InvokeMethodWithResponseAsync_denied_call_answers_403_err_direct_invoke_naming_caller_operation_and_verb()
    {
        await using var apps = await StartAsync("frontend");

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Post, "callee", "orders/42"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_DIRECT_INVOKE", error.GetProperty("errorCode").GetString());
        Assert.Equal(
            "failed to invoke, id: callee, err: rpc error: code = PermissionDenied desc = access control policy has denied access to id: spiffe://public/ns/default/frontend operation: orders/42 verb: POST",
            error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Without_mtls_callee_does_not_know_its_caller_Global_default_action_decides_every_call()
    {
        // daprd reads the caller from its mTLS certificate; without one the policy for "frontend" cannot apply.
        await using var apps = await StartAsync("frontend", mtls: false);

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "orders/42"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "failed to invoke, id: callee, err: rpc error: code = PermissionDenied desc = access control policy has denied access to id:  operation: orders/42 verb: GET",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Without_mtls_global_allow_Every_call_allowed_whatever_the_policies()
    {
        await using var apps = await StartAsync("frontend", mtls: false, configuration: Configuration.Replace("defaultAction: deny\n    trustDomain", "defaultAction: allow\n    trustDomain", StringComparison.Ordinal));

        using var response = await apps.Caller.Client.InvokeMethodWithResponseAsync(
            apps.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", "admin/users"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task InvokeMethodAsync_app_calling_itself_is_not_subject_to_access_control()
    {
        await using var apps = await StartAsync("frontend");

        using var response = await apps.Callee.Client.InvokeMethodWithResponseAsync(
            apps.Callee.Client.CreateInvokeMethodRequest(HttpMethod.Post, "callee", "admin/self"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StartAsync_policy_without_namespace_fails_naming_the_field()
    {
        var resources = SidecarHarness.WriteResources(new Dictionary<string, string>
        {
            ["config.yaml"] = Configuration.Replace("namespace: default", string.Empty, StringComparison.Ordinal),
        });

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => Sidecar.StartAsync(
            new SidecarOptions { AppId = "callee", ConfigFilePath = Path.Combine(resources, "config.yaml") },
            new LocalCluster()));

        Assert.Equal("spec.accessControl.policies[0].namespace", error.Field);
    }

    /// <summary>A callee with <see cref="Configuration"/> and a caller, both with mTLS (so the callee knows its caller) unless told otherwise.</summary>
    private static async Task<Apps> StartAsync(string callerId, bool mtls = true, string configuration = Configuration)
    {
        var log = new RequestLog();
        var cluster = new LocalCluster();
        var callee = await SidecarHarness.StartAsync(
            "callee",
            new Dictionary<string, string> { ["config.yaml"] = configuration },
            app => app.Map("/{**path}", async (HttpContext http) => { await log.RecordAsync(http); }),
            cluster: cluster,
            configureSidecar: o => o with { ConfigFilePath = Path.Combine(o.ResourcesPaths[0], "config.yaml"), EnableMtls = mtls });
        var caller = await SidecarHarness.StartAsync(callerId, new Dictionary<string, string>(), cluster: cluster, configureSidecar: o => o with { EnableMtls = mtls });
        return new Apps(caller, callee, log);
    }

    private sealed record Apps(SidecarHarness Caller, SidecarHarness Callee, RequestLog Log) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Caller.DisposeAsync();
            await Callee.DisposeAsync();
        }
    }
}
