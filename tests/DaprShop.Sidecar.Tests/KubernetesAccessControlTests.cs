using System.Net;
using DaprShop.Testing;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// Dapr.Client 1.19 marks its service invocation methods obsolete in favour of plain HttpClient;
// services still call them, so the sidecar must serve them exactly as daprd does.
#pragma warning disable CS0618

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// The deny-by-default Configurations of deploy/kubernetes, loaded by the four apps' sidecars: with mTLS (as on
/// Kubernetes) every call outside the policies is refused and every call the shop makes gets through; without mTLS
/// (as under <c>dapr run</c>) no call between apps gets through, which is why components/config.yaml allows.
/// </summary>
public sealed class KubernetesAccessControlTests
{
    private const string Namespace = "daprshop";

    private static readonly string[] Apps = ["auth-gateway", "order-service", "payment-service", "notification-service"];

    /// <summary>What each app serves, by callee: every route the services map, plus a few they do not.</summary>
    private static readonly Dictionary<string, (string Verb, string Method)[]> Routes = new(StringComparer.Ordinal)
    {
        ["auth-gateway"] = [("POST", "auth/token"), ("POST", "auth/register"), ("GET", "api/orders"), ("GET", "healthz")],
        ["order-service"] =
        [
            ("POST", "orders"), ("GET", "orders"), ("GET", "orders/o-1"), ("GET", "orders/o-1/events"), ("POST", "orders/o-1/cancel"),
            ("DELETE", "orders/o-1"), ("PUT", "orders/o-1"), ("POST", "orders/o-1/events"), ("GET", "orders/o-1/cancel"),
            ("GET", "orders/o-1/../../dapr/config"), ("GET", "dapr/config"), ("PUT", "actors/OrderActor/o-1/method/PlaceAsync"), ("GET", "healthz"),
        ],
        ["payment-service"] =
        [
            ("POST", "payments"), ("POST", "payments/o-1/refund"), ("GET", "payments/o-1"), ("GET", "payments"), ("POST", "payments/o-1"),
            ("PUT", "faults"), ("GET", "faults"), ("GET", "healthz"),
        ],
        ["notification-service"] = [("GET", "notifications"), ("POST", "notifications"), ("POST", "events/orders"), ("GET", "healthz")],
    };

    /// <summary>Every call the shop makes between apps: the policies must let these through and nothing else.</summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "auth-gateway -> order-service POST orders",
        "auth-gateway -> order-service GET orders",
        "auth-gateway -> order-service GET orders/o-1",
        "auth-gateway -> order-service GET orders/o-1/events",
        "auth-gateway -> order-service POST orders/o-1/cancel",
        "auth-gateway -> notification-service GET notifications",
        "order-service -> payment-service POST payments",
        "order-service -> payment-service POST payments/o-1/refund",

        // daprd's operations cover every path beneath them, for the verbs they name: these reach the app, which has
        // no such route and answers 404 or 405.
        "auth-gateway -> order-service POST orders/o-1/events",
        "auth-gateway -> order-service GET orders/o-1/cancel",
        "order-service -> payment-service POST payments/o-1",
    };

    [Fact]
    public async Task With_mtls_Only_the_calls_the_shop_makes_get_through()
    {
        await using var shop = await StartAsync(mtls: true);

        var outcomes = await shop.CallEverythingAsync();

        var wrong = outcomes.Where(o => o.Status != (Allowed.Contains(o.Call) ? HttpStatusCode.OK : HttpStatusCode.Forbidden)).Select(o => $"{o.Call}: {(int)o.Status}").ToList();
        Assert.Empty(wrong);
        Assert.Equal(Allowed.Count, outcomes.Count(o => o.Status == HttpStatusCode.OK));
        Assert.Equal(Allowed.Count, shop.Log.All.Count(r => r.Path is not ("/dapr/subscribe" or "/dapr/config")));
    }

    [Fact]
    public async Task Without_mtls_No_call_between_apps_gets_through()
    {
        await using var shop = await StartAsync(mtls: false);

        var outcomes = await shop.CallEverythingAsync();

        Assert.All(outcomes, o => Assert.Equal(HttpStatusCode.Forbidden, o.Status));
    }

    private static async Task<Shop> StartAsync(bool mtls)
    {
        var log = new RequestLog();
        var cluster = new LocalCluster();
        var sidecars = new List<SidecarHarness>();
        try
        {
            foreach (var appId in Apps)
            {
                sidecars.Add(await SidecarHarness.StartAsync(
                    appId,
                    new Dictionary<string, string>(),
                    app => app.Map("/{**path}", async (HttpContext http) => { await log.RecordAsync(http); }),
                    cluster: cluster,
                    configureSidecar: o => o with
                    {
                        ConfigFilePath = RepositoryFolder.Combine("deploy", "kubernetes", "base", "dapr", $"configuration-{appId}.yaml"),
                        EnableMtls = mtls,
                        Namespace = Namespace,
                    }));
            }

            return new Shop(sidecars, log);
        }
        catch
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }

            throw;
        }
    }

    private sealed record Outcome(string Call, HttpStatusCode Status);

    private sealed record Shop(List<SidecarHarness> Sidecars, RequestLog Log) : IAsyncDisposable
    {
        public async Task<List<Outcome>> CallEverythingAsync()
        {
            var outcomes = new List<Outcome>();
            foreach (var caller in Sidecars)
            {
                foreach (var (callee, routes) in Routes.Where(r => r.Key != caller.Sidecar.AppId))
                {
                    foreach (var (verb, method) in routes)
                    {
                        using var response = await caller.Client.InvokeMethodWithResponseAsync(
                            caller.Client.CreateInvokeMethodRequest(new HttpMethod(verb), callee, method));
                        outcomes.Add(new Outcome($"{caller.Sidecar.AppId} -> {callee} {verb} {method}", response.StatusCode));
                    }
                }
            }

            return outcomes;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var sidecar in Sidecars)
            {
                await sidecar.DisposeAsync();
            }
        }
    }
}
