using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Time.Testing;
using static DaprShop.Sidecar.Tests.Resiliency.ResiliencySpecTests;

namespace DaprShop.Sidecar.Tests.Resiliency;

/// <summary>Which policy applies to which call: named targets first, then daprd's default policies, most specific first.</summary>
public sealed class ResiliencyPoliciesTests
{
    private const string Policies = """
        policies:
          timeouts:
            DefaultTimeoutPolicy: 9s
            DefaultActorTimeoutPolicy: 8s
            named: 1s
          retries:
            DefaultRetryPolicy: { duration: 1s, maxRetries: 3 }
            DefaultAppRetryPolicy: { duration: 100ms, maxRetries: 5 }
            DefaultActorRetryPolicy: { policy: exponential, maxInterval: 15s, maxRetries: 10 }
            DefaultComponentInboundRetryPolicy: { duration: 5s, maxRetries: 5 }
            DefaultStatestoreComponentOutboundRetryPolicy: { policy: exponential, maxRetries: -1 }
            DefaultComponentRetryPolicy: { maxRetries: 2 }
            fastRetries: { duration: 10ms, maxRetries: 3 }
            retryForever: { policy: exponential, maxInterval: 10s, maxRetries: -1 }
          circuitBreakers:
            DefaultComponentOutboundCircuitBreakerPolicy: { trip: consecutiveFailures > 2 }
            cb: { trip: consecutiveFailures >= 1, timeout: 30s }
        """;

    private const string Targets = """
        targets:
          apps:
            appA: { retry: fastRetries }
            appB: { retry: retryForever, circuitBreaker: cb }
          actors:
            EventActor: { retry: retryForever }
            PerId: { circuitBreaker: cb, circuitBreakerScope: id, circuitBreakerCacheSize: 2 }
            PerType: { circuitBreaker: cb, circuitBreakerScope: type }
          components:
            actorstore:
              outbound: { retry: fastRetries }
            inboundOnly:
              inbound: { retry: fastRetries }
        """;

    private readonly ResiliencyPolicies _policies = new(Load(("r.yaml", Document("r", Policies + "\n" + Targets))), new FakeTimeProvider());

    [Fact]
    public void ForApp_named_target_wins_and_others_get_the_default_app_policy()
    {
        Assert.Equal("fastRetries", _policies.ForApp("appA").Retry?.Name);
        Assert.Equal("retryForever", _policies.ForApp("appB").Retry?.Name);
        Assert.Equal("DefaultAppRetryPolicy", _policies.ForApp("appC").Retry?.Name);
    }

    [Fact]
    public void ForApp_named_target_gets_no_default_for_the_kinds_it_leaves_out()
    {
        Assert.Null(_policies.ForApp("appA").Timeout);
        Assert.Equal(TimeSpan.FromSeconds(9), _policies.ForApp("appC").Timeout);
    }

    [Fact]
    public void ForApp_keeps_one_breaker_per_target_app()
    {
        var first = _policies.ForApp("appB").CircuitBreaker;

        Assert.NotNull(first);
        Assert.Same(first, _policies.ForApp("appB").CircuitBreaker);
        Assert.Equal("cb-appB", first.Name);
        Assert.Equal("app:appB", _policies.ForApp("appB").Target);
        Assert.Null(_policies.ForApp("appA").CircuitBreaker);
    }

    [Fact]
    public void ForComponent_defaults_go_from_type_and_direction_to_direction_to_component_to_global()
    {
        Assert.Equal("DefaultStatestoreComponentOutboundRetryPolicy", _policies.ForComponentOutbound("statestore", ComponentKind.Statestore).Retry?.Name);
        Assert.Equal("DefaultComponentRetryPolicy", _policies.ForComponentOutbound("pubsub", ComponentKind.Pubsub).Retry?.Name);
        Assert.Equal("DefaultComponentInboundRetryPolicy", _policies.ForComponentInbound("pubsub", ComponentKind.Pubsub).Retry?.Name);
        Assert.Equal("fastRetries", _policies.ForComponentOutbound("actorstore", ComponentKind.Statestore).Retry?.Name);
        Assert.Equal(TimeSpan.FromSeconds(9), _policies.ForComponentOutbound("pubsub", ComponentKind.Pubsub).Timeout);
    }

    [Fact]
    public void ForComponent_listed_target_gets_no_defaults_even_for_the_direction_it_leaves_out()
    {
        var outbound = _policies.ForComponentOutbound("inboundOnly", ComponentKind.Pubsub);

        Assert.True(outbound.IsEmpty);
        Assert.Equal("fastRetries", _policies.ForComponentInbound("inboundOnly", ComponentKind.Pubsub).Retry?.Name);
    }

    [Fact]
    public void ForComponent_breaker_is_one_per_component_name()
    {
        var secrets = _policies.ForComponentOutbound("secretstore", ComponentKind.Secretstore).CircuitBreaker;
        var state = _policies.ForComponentOutbound("statestore", ComponentKind.Statestore).CircuitBreaker;

        Assert.NotNull(secrets);
        Assert.NotSame(secrets, state);
        Assert.Same(secrets, _policies.ForComponentOutbound("secretstore", ComponentKind.Secretstore).CircuitBreaker);
        Assert.Equal("DefaultComponentOutboundCircuitBreakerPolicy-secretstore", secrets.Name);
        Assert.Null(_policies.ForComponentInbound("secretstore", ComponentKind.Secretstore).CircuitBreaker);
    }

    [Fact]
    public void ForActor_named_type_wins_else_default_actor_policies()
    {
        Assert.Equal("retryForever", _policies.ForActor("EventActor", "1").Retry?.Name);
        Assert.Null(_policies.ForActor("EventActor", "1").Timeout);
        Assert.Equal("DefaultActorRetryPolicy", _policies.ForActor("SummaryActor", "1").Retry?.Name);
        Assert.Equal(TimeSpan.FromSeconds(8), _policies.ForActor("SummaryActor", "1").Timeout);
        Assert.Equal("actor:SummaryActor", _policies.ForActor("SummaryActor", "1").Target);
    }

    [Fact]
    public void ForActorPreLock_has_retry_and_breaker_and_ForActorPostLock_the_timeout()
    {
        var pre = _policies.ForActorPreLock("SummaryActor", "1");
        var post = _policies.ForActorPostLock("SummaryActor", "1");

        Assert.Equal(("DefaultActorRetryPolicy", (TimeSpan?)null), (pre.Retry?.Name, pre.Timeout));
        Assert.Equal(((string?)null, (TimeSpan?)TimeSpan.FromSeconds(8)), (post.Retry?.Name, post.Timeout));
    }

    [Fact]
    public void ForActor_breaker_scope_type_is_shared_and_scope_id_is_per_actor_in_a_bounded_cache()
    {
        Assert.Same(_policies.ForActor("PerType", "1").CircuitBreaker, _policies.ForActor("PerType", "2").CircuitBreaker);
        Assert.Equal("PerType", _policies.ForActor("PerType", "1").CircuitBreaker?.Name);

        var one = _policies.ForActor("PerId", "1").CircuitBreaker!;
        var two = _policies.ForActor("PerId", "2").CircuitBreaker!;
        Assert.NotSame(one, two);
        Assert.Equal("PerId-1", one.Name);
        one.Complete(one.Enter(), success: false);
        Assert.Equal(CircuitBreakerState.Open, _policies.ForActor("PerId", "1").CircuitBreaker!.State);

        // Cache size 2: a third id evicts the least recently used (2), whose state is then forgotten.
        _ = _policies.ForActor("PerId", "3");
        two.Complete(two.Enter(), success: false);
        Assert.Same(one, _policies.ForActor("PerId", "1").CircuitBreaker);
        Assert.NotSame(two, _policies.ForActor("PerId", "2").CircuitBreaker);
        Assert.Equal(CircuitBreakerState.Closed, _policies.ForActor("PerId", "2").CircuitBreaker!.State);
    }

    [Fact]
    public void ForBuiltIn_answers_daprd_built_in_retries()
    {
        var service = _policies.ForBuiltIn(ResiliencySpec.BuiltInServiceRetries);

        Assert.Equal((TimeSpan.FromSeconds(1), 3L), (service.Retry!.Duration, service.Retry.MaxRetries));
        Assert.True(_policies.ForBuiltIn("NoSuchPolicy").IsEmpty);
    }

    [Fact]
    public void Without_any_document_nothing_applies()
    {
        var policies = new ResiliencyPolicies(ResiliencySpec.Empty);

        Assert.True(policies.ForApp("payments").IsEmpty);
        Assert.True(policies.ForComponentInbound("pubsub", ComponentKind.Pubsub).IsEmpty);
        Assert.True(policies.ForComponentOutbound("statestore", ComponentKind.Statestore).IsEmpty);
        Assert.True(policies.ForActor("OrderActor", "1").IsEmpty);
    }
}
