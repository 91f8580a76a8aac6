using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// The resiliency engine's metrics, on the meter <see cref="MeterName"/> (add it to an
/// OpenTelemetry <c>MeterProvider</c> with <c>AddMeter</c> to export them). Every measurement is
/// tagged with the sidecar's <c>app_id</c> and the <c>target</c> (<c>app:payment-service</c>,
/// <c>component:pubsub</c>, <c>actor:OrderActor</c>):
/// <list type="bullet">
/// <item><c>daprshop.resiliency.circuit_breaker.state</c>: gauge per breaker, 0 closed, 1 half-open, 2 open (tag <c>policy</c>).</item>
/// <item><c>daprshop.resiliency.circuit_breaker.transitions</c>: state changes (tags <c>policy</c>, <c>from</c>, <c>to</c>).</item>
/// <item><c>daprshop.resiliency.circuit_breaker.rejected</c>: calls a breaker did not let through (tags <c>policy</c>, <c>state</c>).</item>
/// <item><c>daprshop.resiliency.retries</c>: retries started (tag <c>policy</c>).</item>
/// <item><c>daprshop.resiliency.timeouts</c>: attempts cut by a timeout policy.</item>
/// </list>
/// </summary>
public sealed class ResiliencyTelemetry : IDisposable
{
    public const string MeterName = "DaprShop.Sidecar.Resiliency";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly string _appId;
    private readonly ConcurrentDictionary<CircuitBreaker, string> _breakers = new();
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _timeouts;

    /// <summary>Instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public ResiliencyTelemetry(string appId, IMeterFactory? meterFactory = null)
    {
        _appId = appId;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge(
            "daprshop.resiliency.circuit_breaker.state",
            ObserveStates,
            unit: "{state}",
            description: "State of each circuit breaker: 0 closed, 1 half-open, 2 open.");
        _transitions = _meter.CreateCounter<long>("daprshop.resiliency.circuit_breaker.transitions", "{transition}", "Circuit breaker state changes.");
        _rejected = _meter.CreateCounter<long>("daprshop.resiliency.circuit_breaker.rejected", "{call}", "Calls rejected by an open or half-open circuit breaker.");
        _retries = _meter.CreateCounter<long>("daprshop.resiliency.retries", "{retry}", "Retries started by a retry policy.");
        _timeouts = _meter.CreateCounter<long>("daprshop.resiliency.timeouts", "{attempt}", "Attempts cut by a timeout policy.");
    }

    /// <summary>Reports <paramref name="breaker"/>'s state and transitions under <paramref name="target"/>.</summary>
    public void Track(CircuitBreaker breaker, string target)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        if (_breakers.TryAdd(breaker, target))
        {
            breaker.StateChanged += OnStateChanged;
        }
    }

    /// <summary>Stops reporting a breaker that is no longer used (evicted from a cache).</summary>
    public void Untrack(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        if (_breakers.TryRemove(breaker, out _))
        {
            breaker.StateChanged -= OnStateChanged;
        }
    }

    /// <summary>Counts a call the breaker refused, and says so on the current span (the call's, in the order's trace).</summary>
    public void Rejected(string target, CircuitBreakerRejectedException rejection, string policy)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var state = CircuitBreaker.Describe(rejection.State);
        _rejected.Add(1, Tags(target, ("policy", policy), ("state", state)));
        Activity.Current?.AddEvent(new ActivityEvent("circuit breaker rejected the call", tags: new ActivityTagsCollection { ["target"] = target, ["policy"] = policy, ["state"] = state }));
    }

    public void Retried(string target, string policy)
    {
        _retries.Add(1, Tags(target, ("policy", policy)));
        Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["target"] = target, ["policy"] = policy }));
    }

    public void TimedOut(string target)
    {
        _timeouts.Add(1, Tags(target));
        Activity.Current?.AddEvent(new ActivityEvent("attempt timed out", tags: new ActivityTagsCollection { ["target"] = target }));
    }

    public void Dispose()
    {
        foreach (var breaker in _breakers.Keys)
        {
            Untrack(breaker);
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void OnStateChanged(CircuitBreaker breaker, CircuitBreakerState from, CircuitBreakerState to)
    {
        if (_breakers.TryGetValue(breaker, out var target))
        {
            _transitions.Add(1, Tags(target, ("policy", breaker.Policy.Name), ("from", CircuitBreaker.Describe(from)), ("to", CircuitBreaker.Describe(to))));
        }
    }

    private IEnumerable<Measurement<int>> ObserveStates() =>
        _breakers.Select(b => new Measurement<int>((int)b.Key.State, Tags(b.Value, ("policy", b.Key.Policy.Name))));

    private TagList Tags(string target, params (string Key, string Value)[] extra)
    {
        var tags = new TagList
        {
            { "app_id", _appId },
            { "target", target },
        };
        foreach (var (key, value) in extra)
        {
            tags.Add(key, value);
        }

        return tags;
    }
}
