using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Resiliency;
using DaprShop.Sidecar.Tests.Infrastructure;
using DaprShop.Testing;

namespace DaprShop.Sidecar.Tests.Resiliency;

/// <summary>Loading <c>kind: Resiliency</c> documents: values, defaults, merging, and the errors that stop start-up.</summary>
public sealed class ResiliencySpecTests
{
    [Fact]
    public void Load_reads_policies_with_daprd_defaults_and_targets()
    {
        var spec = Load(("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: shop
            spec:
              policies:
                timeouts:
                  general: 5s
                  quick: 1500
                  long: 1m30s
                retries:
                  defaults: {}
                  fast:
                    policy: constant
                    duration: 10ms
                    maxRetries: 0
                  growing:
                    policy: Exponential
                    maxInterval: 15s
                    maxRetries: 10
                    matching:
                      httpStatusCodes: "429,500-504"
                      gRPCStatusCodes: "14"
                circuitBreakers:
                  simple: {}
                  strict:
                    maxRequests: 2
                    interval: 8s
                    timeout: 45s
                    trip: consecutiveFailures > 8 || totalFailures >= 20
              targets:
                apps:
                  payments:
                    timeout: general
                    retry: growing
                    circuitBreaker: strict
                components:
                  statestore:
                    outbound:
                      retry: fast
                  pubsub:
                    inbound:
                      timeout: quick
                actors:
                  OrderActor:
                    timeout: long
                    circuitBreaker: simple
                    circuitBreakerScope: id
                    circuitBreakerCacheSize: 50
            """));

        Assert.Equal(["shop"], spec.Names);
        Assert.Equal(TimeSpan.FromSeconds(5), spec.Timeouts["general"]);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), spec.Timeouts["quick"]);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.Timeouts["long"]);
        var defaults = spec.Retries["defaults"];
        Assert.Equal((BackoffKind.Constant, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), -1L), (defaults.Policy, defaults.Duration, defaults.MaxInterval, defaults.MaxRetries));
        Assert.Equal((TimeSpan.FromMilliseconds(10), 0L, false), (spec.Retries["fast"].Duration, spec.Retries["fast"].MaxRetries, spec.Retries["fast"].Retries));
        var growing = spec.Retries["growing"];
        Assert.Equal((BackoffKind.Exponential, TimeSpan.FromSeconds(15), 10L), (growing.Policy, growing.MaxInterval, growing.MaxRetries));
        Assert.True(growing.Matching.ShouldRetry(503));
        Assert.False(growing.Matching.ShouldRetry(505));
        Assert.True(growing.Matching.ShouldRetry(14));
        Assert.False(growing.Matching.ShouldRetry(4));
        var simple = spec.CircuitBreakers["simple"];
        Assert.Equal((1u, TimeSpan.Zero, TimeSpan.FromSeconds(60), "consecutiveFailures > 5"), (simple.MaxRequests, simple.Interval, simple.Timeout, simple.Trip.Text));
        var strict = spec.CircuitBreakers["strict"];
        Assert.Equal((2u, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(45)), (strict.MaxRequests, strict.Interval, strict.Timeout));
        Assert.True(strict.Trip.ShouldTrip(new BreakerCounts(20, 0, 20, 0, 1)));
        Assert.Equal(new TargetPolicyNames("general", "growing", "strict"), spec.Apps["payments"]);
        Assert.Equal(new TargetPolicyNames(null, "fast", null), spec.Components["statestore"].Outbound);
        Assert.Equal(TargetPolicyNames.None, spec.Components["statestore"].Inbound);
        Assert.Equal(new TargetPolicyNames("quick", null, null), spec.Components["pubsub"].Inbound);
        Assert.Equal(new ActorTargetPolicyNames(new TargetPolicyNames("long", null, "simple"), ActorCircuitBreakerScope.Id, 50), spec.Actors["OrderActor"]);
    }

    [Fact]
    public void Load_merges_documents_in_file_order_later_names_win_and_references_cross_documents()
    {
        var spec = Load(
            ("a.yaml", Document("one", """
                policies:
                  retries:
                    shared: { duration: 1s, maxRetries: 1 }
                    onlyInA: { maxRetries: 7 }
                targets:
                  apps:
                    payments: { retry: fromB }
                """)),
            ("b.yaml", Document("two", """
                policies:
                  retries:
                    shared: { duration: 2s, maxRetries: 2 }
                    fromB: { maxRetries: 3 }
                """)));

        Assert.Equal(["one", "two"], spec.Names);
        Assert.Equal((TimeSpan.FromSeconds(2), 2L), (spec.Retries["shared"].Duration, spec.Retries["shared"].MaxRetries));
        Assert.Equal(7, spec.Retries["onlyInA"].MaxRetries);
        Assert.Equal("fromB", spec.Apps["payments"].Retry);
    }

    [Fact]
    public void Load_keeps_daprd_built_in_retries_and_overrides_them_with_at_least_three_retries()
    {
        var spec = Load(("r.yaml", Document("r", """
            policies:
              retries:
                DaprBuiltInServiceRetries: { duration: 50ms, maxRetries: 1 }
                DaprBuiltInActorNotFoundRetries: { duration: 50ms, maxRetries: 1 }
            """)));

        Assert.Equal((TimeSpan.FromMilliseconds(50), 3L), (spec.Retries["DaprBuiltInServiceRetries"].Duration, spec.Retries["DaprBuiltInServiceRetries"].MaxRetries));
        Assert.Equal((TimeSpan.FromSeconds(1), 5L), (spec.Retries["DaprBuiltInActorNotFoundRetries"].Duration, spec.Retries["DaprBuiltInActorNotFoundRetries"].MaxRetries));
        Assert.Equal(3, ResiliencySpec.Empty.Retries["DaprBuiltInActorRetries"].MaxRetries);
    }

    [Fact]
    public void Load_skips_documents_scoped_to_other_apps()
    {
        var path = SidecarHarness.WriteResources(new Dictionary<string, string>
        {
            ["mine.yaml"] = Document("mine", "policies: { timeouts: { mine: 1s } }", scopes: ["orders", "other"]),
            ["theirs.yaml"] = Document("theirs", "policies: { timeouts: { theirs: 1s } }", scopes: ["payments"]),
            ["everyone.yaml"] = Document("everyone", "policies: { timeouts: { everyone: 1s } }"),
        });
        try
        {
            var spec = ResiliencySpec.Load(ResourceLoader.Load([path], "orders"));

            Assert.Equal(["everyone", "mine"], spec.Names);
            Assert.Equal(["everyone", "mine"], spec.Timeouts.Keys.Order());
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Fact]
    public void Repository_resiliency_yaml_gives_order_service_the_payment_policies_and_notification_service_inbound_retries()
    {
        var common = Path.Combine(RepositoryFolder.Path, "components", "common");

        var orders = new ResiliencyPolicies(ResiliencySpec.Load(ResourceLoader.Load([common], "order-service")));
        var notifications = new ResiliencyPolicies(ResiliencySpec.Load(ResourceLoader.Load([common], "notification-service")));
        var gateway = ResiliencySpec.Load(ResourceLoader.Load([common], "auth-gateway"));

        var payment = orders.ForApp("payment-service");
        Assert.Equal(TimeSpan.FromSeconds(1), payment.Timeout);
        Assert.Equal((BackoffKind.Constant, TimeSpan.FromMilliseconds(100), 2L), (payment.Retry!.Policy, payment.Retry.Duration, payment.Retry.MaxRetries));
        Assert.True(payment.Retry.Matching.ShouldRetry(503));
        Assert.False(payment.Retry.Matching.ShouldRetry(402));
        var breaker = payment.CircuitBreaker!.Policy;
        Assert.Equal((1u, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), "consecutiveFailures >= 5"), (breaker.MaxRequests, breaker.Interval, breaker.Timeout, breaker.Trip.Text));
        var delivery = notifications.ForComponentInbound("pubsub", ComponentKind.Pubsub).Retry!;
        Assert.Equal((BackoffKind.Exponential, TimeSpan.FromSeconds(10), 5L), (delivery.Policy, delivery.MaxInterval, delivery.MaxRetries));
        Assert.Empty(gateway.Names);
    }

    [Theory]
    [InlineData("policies: { circuitBreakers: { cb: { trip: 'consecutiveFailures >' } } }", "spec.policies.circuitBreakers.cb.trip", "ends where a value is expected")]
    [InlineData("policies: { circuitBreakers: { cb: { trip: 'failures > 3' } } }", "spec.policies.circuitBreakers.cb.trip", "unknown name 'failures'")]
    [InlineData("policies: { circuitBreakers: { cb: { maxRequests: -1 } } }", "spec.policies.circuitBreakers.cb.maxRequests", "'-1' is not a whole number")]
    [InlineData("policies: { circuitBreakers: { cb: { timeout: soon } } }", "spec.policies.circuitBreakers.cb.timeout", "'soon' is not a duration")]
    [InlineData("policies: { timeouts: { t: 5 seconds } }", "spec.policies.timeouts.t", "'5 seconds' is not a duration")]
    [InlineData("policies: { retries: { r: { policy: linear } } }", "spec.policies.retries.r.policy", "unexpected back off policy type: linear")]
    [InlineData("policies: { retries: { r: { maxRetries: many } } }", "spec.policies.retries.r.maxRetries", "'many' is not an integer")]
    [InlineData("policies: { retries: { r: { duration: 1x } } }", "spec.policies.retries.r.duration", "'1x' is not a duration")]
    [InlineData("policies: { retries: { r: { matching: { httpStatusCodes: '500-600' } } } }", "spec.policies.retries.r.matching.httpStatusCodes", "end code 600 is not within 100-599")]
    [InlineData("policies: { retries: { r: { matching: { gRPCStatusCodes: 'x' } } } }", "spec.policies.retries.r.matching.gRPCStatusCodes", "failed to parse start code 'x'")]
    [InlineData("targets: { apps: { payments: { retry: nope } } }", "spec.targets.apps.payments.retry", "names retry policy 'nope', which no Resiliency document defines under spec.policies.retries")]
    [InlineData("targets: { apps: { payments: { timeout: nope } } }", "spec.targets.apps.payments.timeout", "names timeout policy 'nope'")]
    [InlineData("targets: { components: { pubsub: { inbound: { circuitBreaker: nope } } } }", "spec.targets.components.pubsub.inbound.circuitBreaker", "names circuit breaker policy 'nope'")]
    [InlineData("targets: { apps: { payments: { circuitBreakerCacheSize: lots } } }", "spec.targets.apps.payments.circuitBreakerCacheSize", "'lots' is not a whole number")]
    [InlineData("policies: { circuitBreakers: { cb: {} } }\ntargets: { actors: { A: { circuitBreaker: cb } } }", "spec.targets.actors.A.circuitBreakerScope", "actor circuit breakers must include scope")]
    [InlineData("policies: { circuitBreakers: { cb: {} } }\ntargets: { actors: { A: { circuitBreaker: cb, circuitBreakerScope: app } } }", "spec.targets.actors.A.circuitBreakerScope", "unknown circuit breaker scope \"app\"")]
    public void Load_bad_value_throws_naming_file_and_field(string spec, string field, string problem)
    {
        var error = Assert.Throws<ResourceLoadException>(() => Load(("bad.yaml", Document("bad", spec))));

        Assert.Equal(field, error.Field);
        Assert.Equal("bad.yaml", Path.GetFileName(error.File));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    internal static string Document(string name, string spec, params string[] scopes)
    {
        var indented = string.Join("\n", spec.Split('\n').Select(line => "  " + line.TrimEnd()));
        var scopeLines = scopes.Length == 0 ? string.Empty : "scopes:\n" + string.Concat(scopes.Select(s => $"  - {s}\n"));
        return $"apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: {name}\n{scopeLines}spec:\n{indented}\n";
    }

    internal static ResiliencySpec Load(params (string File, string Yaml)[] files) =>
        ResiliencySpec.Load(files.SelectMany(f => ParseDocuments(f.File, f.Yaml)).ToList());

    private static IReadOnlyList<ResourceDocument> ParseDocuments(string file, string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"resiliency-{Guid.NewGuid():N}", file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        try
        {
            return ResourceLoader.ReadFile(path);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
