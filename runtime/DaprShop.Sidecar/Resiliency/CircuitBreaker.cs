using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>The three states of a <see cref="CircuitBreaker"/>, numbered as the state gauge reports them.</summary>
public enum CircuitBreakerState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}

/// <summary>
/// daprd's expression-driven circuit breaker: the state machine of gobreaker, which daprd wraps
/// (dapr/dapr <c>pkg/resiliency/breaker/circuitbreaker.go</c>). Polly's breaker samples a failure
/// ratio over a duration and cannot express a <c>trip</c> condition over these counters, hence
/// this one.
/// <list type="bullet">
/// <item>Closed: every request is admitted and counted; after each failure the <c>trip</c>
/// expression is evaluated and, when it holds, the breaker opens. With an <c>interval</c> the
/// counts start again from zero every interval.</item>
/// <item>Open: every request is rejected at once ("circuit breaker is open") until <c>timeout</c>
/// has passed; then it is half-open.</item>
/// <item>Half-open: <c>maxRequests</c> requests are admitted and the rest rejected ("too many
/// requests"); that many successes close it, one failure opens it again.</item>
/// </list>
/// Counts start from zero on every state change, and an outcome that arrives after the state
/// changed under it is ignored. Time comes from a <see cref="TimeProvider"/>; transitions are
/// computed when the breaker is used or read, so no timer runs.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CircuitBreakerState _state = CircuitBreakerState.Closed;
    private BreakerCounts _counts;
    private long _generation;
    private DateTimeOffset? _expiry;

    public CircuitBreaker(string name, CircuitBreakerPolicy policy, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        Policy = policy;
        _time = time;
        _logger = logger;
        StartGeneration(_time.GetUtcNow());
    }

    /// <summary>Raised, outside the breaker's lock, after every state change: (breaker, from, to).</summary>
    public event Action<CircuitBreaker, CircuitBreakerState, CircuitBreakerState>? StateChanged;

    /// <summary>The breaker's name in logs and metrics, such as <c>paymentBreaker-payment-service</c>.</summary>
    public string Name { get; }

    public CircuitBreakerPolicy Policy { get; }

    public CircuitBreakerState State
    {
        get
        {
            Transition? transition;
            CircuitBreakerState state;
            lock (_lock)
            {
                transition = Advance(_time.GetUtcNow());
                state = _state;
            }

            Notify(transition);
            return state;
        }
    }

    public BreakerCounts Counts
    {
        get
        {
            Transition? transition;
            BreakerCounts counts;
            lock (_lock)
            {
                transition = Advance(_time.GetUtcNow());
                counts = _counts;
            }

            Notify(transition);
            return counts;
        }
    }

    /// <summary>
    /// Admits a request, or throws <see cref="CircuitBreakerRejectedException"/> without counting
    /// it. Report its outcome with <see cref="Complete"/> and the returned ticket.
    /// </summary>
    public long Enter()
    {
        Transition? transition;
        CircuitBreakerRejectedException? rejection = null;
        long ticket;
        lock (_lock)
        {
            transition = Advance(_time.GetUtcNow());
            ticket = _generation;
            if (_state == CircuitBreakerState.Open)
            {
                rejection = CircuitBreakerRejectedException.Open(Name);
            }
            else if (_state == CircuitBreakerState.HalfOpen && _counts.Requests >= Policy.MaxRequests)
            {
                rejection = CircuitBreakerRejectedException.TooManyRequests(Name);
            }
            else
            {
                _counts = _counts.OnRequest();
            }
        }

        Notify(transition);
        return rejection is null ? ticket : throw rejection;
    }

    /// <summary>Counts the outcome of a request admitted by <see cref="Enter"/>.</summary>
    public void Complete(long ticket, bool success)
    {
        Transition? transition;
        Transition? change = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            transition = Advance(now);
            if (ticket != _generation)
            {
                // The breaker changed state while the request ran: its outcome belongs to counts that are gone.
            }
            else if (success)
            {
                _counts = _counts.OnSuccess();
                if (_state == CircuitBreakerState.HalfOpen && _counts.ConsecutiveSuccesses >= Policy.MaxRequests)
                {
                    change = SetState(CircuitBreakerState.Closed, now);
                }
            }
            else if (_state == CircuitBreakerState.HalfOpen)
            {
                change = SetState(CircuitBreakerState.Open, now);
            }
            else
            {
                _counts = _counts.OnFailure();
                if (_state == CircuitBreakerState.Closed && Policy.Trip.ShouldTrip(_counts))
                {
                    change = SetState(CircuitBreakerState.Open, now);
                }
            }
        }

        Notify(transition);
        Notify(change);
    }

    /// <summary>Lets the time-driven changes happen: a closed interval ends, an open timeout passes.</summary>
    private Transition? Advance(DateTimeOffset now)
    {
        if (_expiry is not { } expiry || expiry >= now)
        {
            return null;
        }

        if (_state == CircuitBreakerState.Closed)
        {
            StartGeneration(now);
            return null;
        }

        return _state == CircuitBreakerState.Open ? SetState(CircuitBreakerState.HalfOpen, now) : null;
    }

    private Transition? SetState(CircuitBreakerState state, DateTimeOffset now)
    {
        if (_state == state)
        {
            return null;
        }

        var from = _state;
        _state = state;
        StartGeneration(now);
        return new Transition(from, state);
    }

    private void StartGeneration(DateTimeOffset now)
    {
        _generation++;
        _counts = default;
        _expiry = _state switch
        {
            CircuitBreakerState.Closed when Policy.Interval > TimeSpan.Zero => now + Policy.Interval,
            CircuitBreakerState.Open => now + Policy.Timeout,
            _ => null,
        };
    }

    private void Notify(Transition? transition)
    {
        if (transition is not { } t)
        {
            return;
        }

        _logger.LogInformation("Circuit breaker {Breaker} changed state from {From} to {To}", Name, Describe(t.From), Describe(t.To));
        StateChanged?.Invoke(this, t.From, t.To);
    }

    /// <summary>The state as daprd and gobreaker name it: <c>closed</c>, <c>half-open</c>, <c>open</c>.</summary>
    public static string Describe(CircuitBreakerState state) => state switch
    {
        CircuitBreakerState.Closed => "closed",
        CircuitBreakerState.HalfOpen => "half-open",
        _ => "open",
    };

    private readonly record struct Transition(CircuitBreakerState From, CircuitBreakerState To);
}
