using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// The sidecar's <see cref="IResiliencyPolicyProvider"/>: resolves each target's policy names
/// from the <see cref="ResiliencySpec"/> once, with daprd's default-policy precedence, and keeps
/// the circuit breakers. As in daprd, a component's breaker is shared by its inbound and outbound
/// policies and an actor type's breakers live in a bounded cache (<c>circuitBreakerCacheSize</c>,
/// default 5000). Unlike daprd, which keeps one breaker per app and method
/// (<c>EndpointPolicy(app, app + ":" + method)</c>), there is one breaker per target app, as
/// DaprShop's design asks.
/// </summary>
public sealed class ResiliencyPolicies : IResiliencyPolicyProvider
{
    /// <summary>daprd's cache size for the breakers of an actor type that only a default policy covers.</summary>
    private const int DefaultPolicyActorCacheSize = 100;

    private readonly ResiliencySpec _spec;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencyTelemetry? _telemetry;
    private readonly Func<double>? _random;
    private readonly Lock _sync = new();
    private readonly ConcurrentDictionary<string, ResiliencyPolicy> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, ComponentKind), ResiliencyPolicy> _outbound = new();
    private readonly ConcurrentDictionary<(string, ComponentKind), ResiliencyPolicy> _inbound = new();
    private readonly ConcurrentDictionary<string, ResiliencyPolicy> _builtIn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActorPolicies> _actors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CircuitBreaker> _componentBreakers = new(StringComparer.Ordinal);

    public ResiliencyPolicies(
        ResiliencySpec spec,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        ResiliencyTelemetry? telemetry = null,
        Func<double>? random = null,
        string? appId = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _time = time ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(appId is null ? "daprd.resiliency" : $"daprd.{appId}.resiliency");
        _telemetry = telemetry;
        _random = random;
    }

    public ResiliencySpec Spec => _spec;

    public ResiliencyPolicy ForApp(string appId)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return _apps.TryGetValue(appId, out var policy) ? policy : Create(_apps, appId, () =>
        {
            var names = _spec.Apps.TryGetValue(appId, out var named) ? named : Defaults("App");
            var target = $"app:{appId}";
            var breaker = names.CircuitBreaker is { } cb ? NewBreaker($"{cb}-{appId}", _spec.CircuitBreakers[cb], target) : null;
            return Build(target, names, breaker);
        });
    }

    public ResiliencyPolicy ForComponentOutbound(string componentName, ComponentKind kind) =>
        ForComponent(_outbound, componentName, kind, "Outbound");

    public ResiliencyPolicy ForComponentInbound(string componentName, ComponentKind kind) =>
        ForComponent(_inbound, componentName, kind, "Inbound");

    public ResiliencyPolicy ForActor(string actorType, string actorId) => Actor(actorType).Full(actorId);

    public ResiliencyPolicy ForActorPreLock(string actorType, string actorId) => Actor(actorType).PreLock(actorId);

    public ResiliencyPolicy ForActorPostLock(string actorType, string actorId) => Actor(actorType).PostLock;

    public ResiliencyPolicy ForBuiltIn(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _builtIn.TryGetValue(name, out var policy) ? policy : Create(_builtIn, name, () =>
            _spec.Retries.TryGetValue(name, out var retry)
                ? ResiliencyPolicy.Create(name, null, retry, null, _time, _logger, _telemetry, _random)
                : ResiliencyPolicy.None);
    }

    private ResiliencyPolicy ForComponent(
        ConcurrentDictionary<(string, ComponentKind), ResiliencyPolicy> cache,
        string componentName,
        ComponentKind kind,
        string direction)
    {
        ArgumentNullException.ThrowIfNull(componentName);
        return cache.TryGetValue((componentName, kind), out var policy) ? policy : Create(cache, (componentName, kind), () =>
        {
            var names = _spec.Components.TryGetValue(componentName, out var named)
                ? (direction == "Inbound" ? named.Inbound : named.Outbound)
                : Defaults($"{kind}Component{direction}", $"Component{direction}", "Component");
            var target = $"component:{componentName}";
            CircuitBreaker? breaker = null;
            if (names.CircuitBreaker is { } cb)
            {
                // daprd keeps one breaker per component name, made from the first template asked for.
                if (!_componentBreakers.TryGetValue(componentName, out breaker))
                {
                    breaker = NewBreaker($"{cb}-{componentName}", _spec.CircuitBreakers[cb], target);
                    _componentBreakers[componentName] = breaker;
                }
            }

            return Build(target, names, breaker);
        });
    }

    private ActorPolicies Actor(string actorType)
    {
        ArgumentNullException.ThrowIfNull(actorType);
        return _actors.TryGetValue(actorType, out var policies) ? policies : Create(_actors, actorType, () =>
        {
            var target = $"actor:{actorType}";
            if (_spec.Actors.TryGetValue(actorType, out var named))
            {
                return new ActorPolicies(this, actorType, target, named.Names, named.Scope, named.CircuitBreakerCacheSize);
            }

            return new ActorPolicies(this, actorType, target, Defaults("Actor"), ActorCircuitBreakerScope.Type, DefaultPolicyActorCacheSize);
        });
    }

    private TValue Create<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, Func<TValue> create)
        where TKey : notnull
    {
        lock (_sync)
        {
            if (!cache.TryGetValue(key, out var value))
            {
                value = create();
                cache[key] = value;
            }

            return value;
        }
    }

    private ResiliencyPolicy Build(string target, TargetPolicyNames names, CircuitBreaker? breaker)
    {
        TimeSpan? timeout = names.Timeout is { } t ? _spec.Timeouts[t] : null;
        var retry = names.Retry is { } r ? _spec.Retries[r] : null;
        return timeout is null && retry is null && breaker is null
            ? ResiliencyPolicy.None
            : ResiliencyPolicy.Create(target, timeout, retry, breaker, _time, _logger, _telemetry, _random);
    }

    private CircuitBreaker NewBreaker(string name, CircuitBreakerPolicy policy, string target)
    {
        var breaker = new CircuitBreaker(name, policy, _time, _logger);
        _telemetry?.Track(breaker, target);
        return breaker;
    }

    /// <summary>
    /// The default policy of each kind for a target that <c>targets</c> does not list: the first of
    /// <c>Default{level}{Kind}Policy</c> for each level, most specific first, then
    /// <c>Default{Kind}Policy</c> (daprd's <c>getDefaultPolicy</c>).
    /// </summary>
    private TargetPolicyNames Defaults(params string[] levels)
    {
        string? Find<T>(IReadOnlyDictionary<string, T> policies, string kind) =>
            levels.Append(string.Empty).Select(level => $"Default{level}{kind}Policy").FirstOrDefault(policies.ContainsKey);

        return new TargetPolicyNames(
            Find(_spec.Timeouts, "Timeout"),
            Find(_spec.Retries, "Retry"),
            Find(_spec.CircuitBreakers, "CircuitBreaker"));
    }

    /// <summary>One actor type's policies; its breakers are kept per type or per id, in a bounded cache.</summary>
    private sealed class ActorPolicies
    {
        private readonly ResiliencyPolicies _owner;
        private readonly string _actorType;
        private readonly ActorCircuitBreakerScope _scope;
        private readonly CircuitBreakerPolicy? _breakerPolicy;
        private readonly ResiliencyPolicy _full;
        private readonly ResiliencyPolicy _preLock;
        private readonly int _cacheSize;
        private readonly Dictionary<string, LinkedListNode<(string Key, CircuitBreaker Breaker)>> _breakers = new(StringComparer.Ordinal);
        private readonly LinkedList<(string Key, CircuitBreaker Breaker)> _recency = new();
        private readonly Lock _lock = new();

        public ActorPolicies(ResiliencyPolicies owner, string actorType, string target, TargetPolicyNames names, ActorCircuitBreakerScope scope, int cacheSize)
        {
            _owner = owner;
            _actorType = actorType;
            _scope = scope;
            _cacheSize = Math.Max(1, cacheSize);
            _breakerPolicy = names.CircuitBreaker is { } cb ? owner._spec.CircuitBreakers[cb] : null;
            Target = target;
            _full = owner.Build(target, names, null);
            _preLock = owner.Build(target, names with { Timeout = null }, null);
            PostLock = owner.Build(target, names with { Retry = null, CircuitBreaker = null }, null);
        }

        public string Target { get; }

        public ResiliencyPolicy PostLock { get; }

        public ResiliencyPolicy Full(string actorId) => WithBreaker(_full, actorId);

        public ResiliencyPolicy PreLock(string actorId) => WithBreaker(_preLock, actorId);

        private ResiliencyPolicy WithBreaker(ResiliencyPolicy policy, string actorId)
        {
            if (_breakerPolicy is null)
            {
                return policy;
            }

            var breaker = Breaker(_scope == ActorCircuitBreakerScope.Type ? _actorType : $"{_actorType}-{actorId}");
            return policy.IsEmpty
                ? ResiliencyPolicy.Create(Target, null, null, breaker, _owner._time, _owner._logger, _owner._telemetry, _owner._random)
                : policy.WithBreaker(breaker);
        }

        private CircuitBreaker Breaker(string key)
        {
            CircuitBreaker? evicted = null;
            CircuitBreaker breaker;
            lock (_lock)
            {
                if (_breakers.TryGetValue(key, out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    return node.Value.Breaker;
                }

                breaker = _owner.NewBreaker(key, _breakerPolicy!, Target);
                _breakers[key] = _recency.AddFirst((key, breaker));
                if (_breakers.Count > _cacheSize)
                {
                    var last = _recency.Last!;
                    _recency.RemoveLast();
                    _breakers.Remove(last.Value.Key);
                    evicted = last.Value.Breaker;
                }
            }

            if (evicted is not null)
            {
                _owner._telemetry?.Untrack(evicted);
            }

            return breaker;
        }
    }
}
