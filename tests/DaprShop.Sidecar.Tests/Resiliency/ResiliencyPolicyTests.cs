using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests.Resiliency;

/// <summary>The policy runner: retry wraps circuit breaker wraps timeout. Retries here pause 0-1ms.</summary>
public sealed class ResiliencyPolicyTests
{
    private static readonly TimeSpan NoPause = TimeSpan.Zero;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    public async Task ExecuteAsync_failing_operation_makes_one_attempt_plus_max_retries_then_answers_the_last_result(long maxRetries, int attempts)
    {
        var policy = Policy(retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: maxRetries));
        var calls = 0;
        var discarded = new List<int>();

        var result = await policy.ExecuteAsync(_ => Task.FromResult(++calls), n => AttemptVerdict.Failure(500), discarded.Add, CancellationToken.None);

        Assert.Equal(attempts, calls);
        Assert.Equal(attempts, result);
        Assert.Equal(Enumerable.Range(1, attempts - 1), discarded);
    }

    [Fact]
    public async Task ExecuteAsync_max_retries_minus_one_retries_until_success()
    {
        var policy = Policy(retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: -1));
        var calls = 0;

        var result = await policy.ExecuteAsync(_ => Task.FromResult(++calls), n => n < 25 ? AttemptVerdict.Failure() : AttemptVerdict.Success, null, CancellationToken.None);

        Assert.Equal(25, result);
    }

    [Fact]
    public async Task ExecuteAsync_exception_is_retried_and_the_last_one_is_thrown()
    {
        var policy = Policy(retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: 2));
        var calls = 0;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => policy.ExecuteAsync<int>(_ => throw new InvalidOperationException($"boom {++calls}"), CancellationToken.None));

        Assert.Equal("boom 3", error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_status_not_in_matching_is_not_retried_but_counts_in_the_breaker()
    {
        var breaker = Breaker("consecutiveFailures >= 2");
        var policy = Policy(retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: 5, matching: StatusCodeMatcher.Parse("500-599", null)), breaker: breaker);
        var calls = 0;

        var result = await policy.ExecuteAsync(_ => Task.FromResult(++calls), _ => AttemptVerdict.Failure(404), null, CancellationToken.None);

        Assert.Equal(1, calls);
        Assert.Equal(1, result);
        Assert.Equal(1, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public async Task ExecuteAsync_every_attempt_counts_in_the_breaker_and_its_rejection_is_not_retried()
    {
        var breaker = Breaker("consecutiveFailures >= 3");
        var policy = Policy(retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: 10), breaker: breaker);
        var calls = 0;

        var rejection = await Assert.ThrowsAsync<CircuitBreakerRejectedException>(() =>
            policy.ExecuteAsync(_ => Task.FromResult(++calls), _ => AttemptVerdict.Failure(503), null, CancellationToken.None));
        var again = await Assert.ThrowsAsync<CircuitBreakerRejectedException>(() =>
            policy.ExecuteAsync(_ => Task.FromResult(++calls), _ => AttemptVerdict.Success, null, CancellationToken.None));

        Assert.Equal(3, calls);
        Assert.Equal(CircuitBreakerState.Open, breaker.State);
        Assert.Equal("circuit breaker is open", rejection.Message);
        Assert.Equal("circuit breaker is open", again.Message);
    }

    [Fact]
    public async Task ExecuteAsync_timeout_cuts_a_slow_attempt_counts_as_a_failure_and_is_retried()
    {
        var breaker = Breaker("consecutiveFailures >= 10");
        var policy = Policy(timeout: TimeSpan.FromMilliseconds(30), retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: 1), breaker: breaker);
        var calls = 0;
        var started = TimeProvider.System.GetTimestamp();

        var error = await Assert.ThrowsAsync<ResiliencyTimeoutException>(() => policy.ExecuteAsync(
            async ct =>
            {
                calls++;
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return 0;
            },
            CancellationToken.None));

        Assert.Equal("context deadline exceeded", error.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(30), error.Timeout);
        Assert.Equal(2, calls);
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ExecuteAsync_success_after_failures_answers_the_success()
    {
        var policy = Policy(retry: RetryPolicy.Create("r", duration: TimeSpan.FromMilliseconds(1), maxRetries: 3));
        var calls = 0;

        var result = await policy.ExecuteAsync(_ => Task.FromResult(++calls), n => n < 3 ? AttemptVerdict.Failure(500) : AttemptVerdict.Success, null, CancellationToken.None);

        Assert.Equal(3, result);
    }

    [Fact]
    public async Task ExecuteAsync_caller_cancellation_stops_retrying()
    {
        var policy = Policy(retry: RetryPolicy.Create("r", duration: TimeSpan.FromMinutes(10), maxRetries: -1));
        using var cancel = new CancellationTokenSource();
        var calls = 0;

        var running = policy.ExecuteAsync(
            _ =>
            {
                calls++;
                cancel.Cancel();
                return Task.FromResult(0);
            },
            _ => AttemptVerdict.Failure(),
            null,
            cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task WithoutRetries_keeps_timeout_and_breaker()
    {
        var breaker = Breaker("consecutiveFailures >= 5");
        var policy = Policy(timeout: TimeSpan.FromSeconds(5), retry: RetryPolicy.Create("r", duration: NoPause, maxRetries: 3), breaker: breaker).WithoutRetries();
        var calls = 0;

        await policy.ExecuteAsync(_ => Task.FromResult(++calls), _ => AttemptVerdict.Failure(500), null, CancellationToken.None);

        Assert.Equal((1, false, TimeSpan.FromSeconds(5)), (calls, policy.HasRetries, policy.Timeout));
        Assert.Same(breaker, policy.CircuitBreaker);
        Assert.Equal(1, breaker.Counts.TotalFailures);
    }

    [Fact]
    public async Task Create_without_policies_is_empty_and_runs_once()
    {
        var policy = Policy(timeout: TimeSpan.Zero, retry: RetryPolicy.Create("r", maxRetries: 0));
        var calls = 0;

        await policy.ExecuteAsync(_ => Task.FromResult(++calls), _ => AttemptVerdict.Failure(), null, CancellationToken.None);

        Assert.True(policy.IsEmpty);
        Assert.Equal(1, calls);
    }

    private static CircuitBreaker Breaker(string trip) =>
        new("cb", CircuitBreakerPolicy.Create("cb", trip: TripExpression.Parse(trip)), new FakeTimeProvider(), NullLogger.Instance);

    private static ResiliencyPolicy Policy(TimeSpan? timeout = null, RetryPolicy? retry = null, CircuitBreaker? breaker = null) =>
        ResiliencyPolicy.Create("test", timeout, retry, breaker, logger: NullLogger.Instance);
}
