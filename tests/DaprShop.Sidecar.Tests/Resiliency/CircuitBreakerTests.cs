using System.Diagnostics;
using System.Diagnostics.Metrics;
using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests.Resiliency;

public sealed class CircuitBreakerTests
{
    private const string AppId = "breaker-telemetry-test";

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Closed_breaker_opens_once_the_trip_expression_holds_after_a_failure()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 3");

        Fail(breaker);
        Fail(breaker);
        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        Assert.Equal(new BreakerCounts(2, 0, 2, 0, 2), breaker.Counts);

        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Open, breaker.State);
        Assert.Equal(default, breaker.Counts);
    }

    [Fact]
    public void Closed_breaker_evaluates_trip_only_after_failures()
    {
        var breaker = Breaker(trip: "totalSuccesses >= 2");

        Succeed(breaker);
        Succeed(breaker);
        Assert.Equal(CircuitBreakerState.Closed, breaker.State);

        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Open, breaker.State);
    }

    [Fact]
    public void Success_resets_consecutive_failures()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 3");

        Fail(breaker);
        Fail(breaker);
        Succeed(breaker);
        Fail(breaker);
        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        Assert.Equal(new BreakerCounts(5, 1, 4, 0, 2), breaker.Counts);
    }

    [Fact]
    public void Open_breaker_rejects_at_once_until_timeout_passes()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 1", timeout: TimeSpan.FromSeconds(30));
        Fail(breaker);

        var rejection = Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());

        Assert.Equal("circuit breaker is open", rejection.Message);
        Assert.Equal(CircuitBreakerState.Open, rejection.State);
        Assert.Equal("test-breaker", rejection.BreakerName);
        Assert.Equal(default, breaker.Counts);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public void Half_open_breaker_admits_max_requests_and_closes_after_that_many_successes()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 1", maxRequests: 2);
        Fail(breaker);
        _time.Advance(TimeSpan.FromSeconds(61));

        var first = breaker.Enter();
        var second = breaker.Enter();
        var rejection = Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());
        Assert.Equal("too many requests", rejection.Message);
        Assert.Equal(CircuitBreakerState.HalfOpen, rejection.State);

        breaker.Complete(first, success: true);
        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);
        breaker.Complete(second, success: true);

        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        Assert.Equal(default, breaker.Counts);
        Succeed(breaker);
        Succeed(breaker);
        Succeed(breaker);
    }

    [Fact]
    public void Half_open_breaker_opens_again_on_one_failure()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 5", maxRequests: 3, timeout: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 5; i++)
        {
            Fail(breaker);
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        Succeed(breaker);
        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Open, breaker.State);
        Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public void Closed_breaker_with_interval_clears_its_counts_every_interval()
    {
        var breaker = Breaker(trip: "totalFailures >= 3", interval: TimeSpan.FromSeconds(10));

        Fail(breaker);
        Fail(breaker);
        _time.Advance(TimeSpan.FromSeconds(10.5));
        Assert.Equal(default, breaker.Counts);
        Fail(breaker);
        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Closed, breaker.State);
        Assert.Equal(new BreakerCounts(2, 0, 2, 0, 2), breaker.Counts);
        Fail(breaker);
        Assert.Equal(CircuitBreakerState.Open, breaker.State);
    }

    [Fact]
    public void Closed_breaker_without_interval_never_clears_its_counts()
    {
        var breaker = Breaker(trip: "totalFailures >= 3");

        Fail(breaker);
        Fail(breaker);
        _time.Advance(TimeSpan.FromDays(7));
        Fail(breaker);

        Assert.Equal(CircuitBreakerState.Open, breaker.State);
    }

    [Fact]
    public void Outcome_of_a_request_admitted_before_a_state_change_is_ignored()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 1", maxRequests: 1);
        var slow = breaker.Enter();
        Fail(breaker);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);

        breaker.Complete(slow, success: false);

        Assert.Equal(CircuitBreakerState.HalfOpen, breaker.State);
        Assert.Equal(default, breaker.Counts);
    }

    [Fact]
    public void Policy_defaults_are_gobreakers()
    {
        var policy = CircuitBreakerPolicy.Create("cb");

        Assert.Equal((1u, TimeSpan.Zero, TimeSpan.FromSeconds(60), "consecutiveFailures > 5"), (policy.MaxRequests, policy.Interval, policy.Timeout, policy.Trip.Text));
    }

    [Fact]
    public void State_changes_raise_the_event_and_the_telemetry_reports_state_transitions_and_rejections()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 1", timeout: TimeSpan.FromSeconds(5));
        var changes = new List<(CircuitBreakerState From, CircuitBreakerState To)>();
        breaker.StateChanged += (_, from, to) => changes.Add((from, to));
        using var telemetry = new ResiliencyTelemetry(AppId);
        telemetry.Track(breaker, "app:payments");
        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ResiliencyTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // Other tests' sidecars publish on the same meter name: keep this test's measurements.
            var dictionary = ToDictionary(tags);
            if ((string?)dictionary["app_id"] == AppId)
            {
                measurements.Add((instrument.Name, value, dictionary));
            }
        }

        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        Fail(breaker);
        var rejection = Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());
        telemetry.Rejected("app:payments", rejection, breaker.Policy.Name);
        listener.RecordObservableInstruments();
        _time.Advance(TimeSpan.FromSeconds(6));
        Succeed(breaker);

        Assert.Equal([(CircuitBreakerState.Closed, CircuitBreakerState.Open), (CircuitBreakerState.Open, CircuitBreakerState.HalfOpen), (CircuitBreakerState.HalfOpen, CircuitBreakerState.Closed)], changes);
        var state = Assert.Single(measurements, m => m.Instrument == "daprshop.resiliency.circuit_breaker.state");
        Assert.Equal(2, state.Value);
                Assert.Equal("app:payments", state.Tags["target"]);
        Assert.Equal("testPolicy", state.Tags["policy"]);
        Assert.Equal(3, measurements.Count(m => m.Instrument == "daprshop.resiliency.circuit_breaker.transitions"));
        Assert.Contains(measurements, m => m.Instrument == "daprshop.resiliency.circuit_breaker.transitions" && (string?)m.Tags["from"] == "half-open" && (string?)m.Tags["to"] == "closed");
        var rejected = Assert.Single(measurements, m => m.Instrument == "daprshop.resiliency.circuit_breaker.rejected");
        Assert.Equal("open", rejected.Tags["state"]);
    }

    [Fact]
    public void Rejection_Is_an_event_on_the_call_s_span_naming_target_policy_and_state()
    {
        var breaker = Breaker(trip: "consecutiveFailures >= 1");
        using var telemetry = new ResiliencyTelemetry(AppId);
        Fail(breaker);
        var rejection = Assert.Throws<CircuitBreakerRejectedException>(() => breaker.Enter());

        // The sidecar's span for the call (CallLocal/...) is the current activity while the policy runs.
        using var call = new Activity("CallLocal/payments/pay").Start();
        telemetry.Rejected("app:payments", rejection, breaker.Policy.Name);

        var rejected = Assert.Single(call.Events);
        Assert.Equal("circuit breaker rejected the call", rejected.Name);
        Assert.Equal(["app:payments", "testPolicy", "open"], rejected.Tags.Select(t => t.Value));
    }

    private CircuitBreaker Breaker(string trip, uint maxRequests = 1, TimeSpan interval = default, TimeSpan? timeout = null) =>
        new("test-breaker", CircuitBreakerPolicy.Create("testPolicy", maxRequests, interval, timeout ?? TimeSpan.FromSeconds(60), TripExpression.Parse(trip)), _time, NullLogger.Instance);

    private static void Fail(CircuitBreaker breaker) => breaker.Complete(breaker.Enter(), success: false);

    private static void Succeed(CircuitBreaker breaker) => breaker.Complete(breaker.Enter(), success: true);

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
