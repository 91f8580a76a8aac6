using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>What one attempt's result means to a policy: success, or a failure with the status code it carries, if any.</summary>
public readonly record struct AttemptVerdict(bool Succeeded, int? StatusCode)
{
    public static AttemptVerdict Success { get; } = new(true, null);

    /// <summary>A failure; a status code lets the retry policy's <c>matching</c> decide whether to retry it.</summary>
    public static AttemptVerdict Failure(int? statusCode = null) => new(false, statusCode);
}

/// <summary>
/// The policies for one target, ready to run an operation: retry wraps circuit breaker wraps
/// timeout, as daprd's policy runner composes them (dapr/dapr <c>pkg/resiliency/policy.go</c>).
/// Each attempt runs under the timeout, is admitted and counted by the breaker, and is retried
/// per the retry policy; a breaker's rejection is never retried. Retry and timeout are Polly's;
/// the breaker is <see cref="CircuitBreaker"/>. A policy without any of the three runs the
/// operation once, as it is.
/// </summary>
public sealed class ResiliencyPolicy
{
    private static readonly ResiliencePropertyKey<long> StartedKey = new("DaprShop.Resiliency.Started");

    private readonly ResiliencePipeline? _retry;
    private readonly ResiliencePipeline? _timeout;
    private readonly PolicyServices _services;

    private ResiliencyPolicy(
        string target,
        TimeSpan? timeout,
        RetryPolicy? retry,
        CircuitBreaker? breaker,
        ResiliencePipeline? timeoutPipeline,
        ResiliencePipeline? retryPipeline,
        PolicyServices services)
    {
        Target = target;
        Timeout = timeout;
        Retry = retry;
        CircuitBreaker = breaker;
        _timeout = timeoutPipeline;
        _retry = retryPipeline;
        _services = services;
    }

    /// <summary>
    /// A policy for <paramref name="target"/>. A timeout of zero or less means none, as does a
    /// retry policy with <c>maxRetries: 0</c>. <paramref name="random"/> gives the exponential
    /// back-off's randomization (tests pass a fixed one).
    /// </summary>
    public static ResiliencyPolicy Create(
        string target,
        TimeSpan? timeout,
        RetryPolicy? retry,
        CircuitBreaker? breaker,
        TimeProvider? time = null,
        ILogger? logger = null,
        ResiliencyTelemetry? telemetry = null,
        Func<double>? random = null)
    {
        var services = new PolicyServices(time ?? TimeProvider.System, logger, telemetry, random ?? Random.Shared.NextDouble);
        var policy = new ResiliencyPolicy(target, timeout > TimeSpan.Zero ? timeout : null, retry is { Retries: true } ? retry : null, breaker, null, null, services);
        return policy.WithPipelines();
    }

    /// <summary>The same timeout and retry (and their Polly pipelines) with another breaker: for breakers kept per actor id.</summary>
    internal ResiliencyPolicy WithBreaker(CircuitBreaker? breaker) =>
        new(Target, Timeout, Retry, breaker, _timeout, _retry, _services);

    private ResiliencyPolicy WithPipelines()
    {
        ResiliencePipeline? timeoutPipeline = null;
        ResiliencePipeline? retryPipeline = null;
        if (Timeout is { } t)
        {
            timeoutPipeline = new ResiliencePipelineBuilder { TimeProvider = _services.Time }
                .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => ValueTask.FromResult(t) })
                .Build();
        }

        if (Retry is { } r)
        {
            retryPipeline = new ResiliencePipelineBuilder { TimeProvider = _services.Time }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = r.Forever || r.MaxRetries >= int.MaxValue ? int.MaxValue : (int)r.MaxRetries,
                    ShouldHandle = ShouldRetry,
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Max(r.DelayBefore(args.AttemptNumber, _services.Random()), TimeSpan.Zero)),
                    OnRetry = OnRetry,
                })
                .Build();
        }

        return new ResiliencyPolicy(Target, Timeout, Retry, CircuitBreaker, timeoutPipeline, retryPipeline, _services);
    }

    /// <summary>Runs operations once, without any policy.</summary>
    public static ResiliencyPolicy None { get; } = Create("none", null, null, null);

    /// <summary>What the policy applies to, such as <c>app:payment-service</c> (logs and metrics).</summary>
    public string Target { get; }

    /// <summary>The time each attempt may take, or null for no limit.</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The retry policy, or null when failures are not retried (none, or <c>maxRetries: 0</c>).</summary>
    public RetryPolicy? Retry { get; }

    public CircuitBreaker? CircuitBreaker { get; }

    /// <summary>Whether the policy does anything at all.</summary>
    public bool IsEmpty => Timeout is null && Retry is null && CircuitBreaker is null;

    /// <summary>Whether a failed attempt may be made again (daprd's <c>HasRetries</c>): the caller must be able to replay its request.</summary>
    public bool HasRetries => Retry is not null;

    /// <summary>The same timeout and breaker without retries, for requests that cannot be replayed.</summary>
    public ResiliencyPolicy WithoutRetries() =>
        Retry is null ? this : new ResiliencyPolicy(Target, Timeout, null, CircuitBreaker, _timeout, null, _services);

    /// <summary>Runs <paramref name="operation"/> under the policy; an exception is a failed attempt.</summary>
    public Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return IsEmpty
            ? operation(cancellationToken)
            : ExecuteAsync<bool>(
                async ct =>
                {
                    await operation(ct);
                    return true;
                },
                cancellationToken);
    }

    /// <summary>Runs <paramref name="operation"/> under the policy; an exception is a failed attempt, a result a success.</summary>
    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        ExecuteAsync(operation, static _ => AttemptVerdict.Success, null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> under the policy. An exception is a failed attempt with no
    /// status code; a result is judged by <paramref name="classify"/>. When retries are spent the
    /// last attempt's outcome is the answer: its result, failed or not, or its exception. A failed
    /// result that is retried is handed to <paramref name="discard"/>. A breaker's rejection is a
    /// <see cref="CircuitBreakerRejectedException"/> and an attempt cut by the timeout a
    /// <see cref="ResiliencyTimeoutException"/>.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(
        Func<CancellationToken, Task<T>> operation,
        Func<T, AttemptVerdict> classify,
        Action<T>? discard,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(classify);
        if (IsEmpty)
        {
            return await operation(cancellationToken);
        }

        var attempt = new Attempt<T>(this, operation, classify, discard);
        try
        {
            if (_retry is null)
            {
                return await attempt.RunAsync(cancellationToken);
            }

            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                context.Properties.Set(StartedKey, _services.Time.GetTimestamp());
                return await _retry.ExecuteAsync(static (ctx, a) => new ValueTask<T>(a.RunAsync(ctx.CancellationToken)), context, attempt);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (FailedAttemptException failed) when (failed.Owner == attempt)
        {
            if (attempt.Retries > 0)
            {
                _services.Logger?.LogDebug("Operation {Target} failed after {Attempts} attempts", Target, attempt.Retries + 1);
            }

            return attempt.LastResult!;
        }
    }

    private ValueTask<bool> ShouldRetry(RetryPredicateArguments<object> args)
    {
        var retry = Retry!;
        var exception = args.Outcome.Exception;
        var retriable = exception switch
        {
            null => false,
            FailedAttemptException failed => retry.Matching.ShouldRetry(failed.StatusCode),
            CircuitBreakerRejectedException => false,
            OperationCanceledException when args.Context.CancellationToken.IsCancellationRequested => false,
            _ => true,
        };
        if (retriable && retry.Policy == BackoffKind.Exponential)
        {
            var started = args.Context.Properties.GetValue(StartedKey, _services.Time.GetTimestamp());
            retriable = retry.MayRetry(args.AttemptNumber, _services.Time.GetElapsedTime(started));
        }

        return ValueTask.FromResult(retriable);
    }

    private ValueTask OnRetry(OnRetryArguments<object> args)
    {
        if (args.Outcome.Exception is FailedAttemptException failed)
        {
            failed.Discard();
        }

        _services.Telemetry?.Retried(Target, Retry!.Name);
        if (args.AttemptNumber == 0)
        {
            _services.Logger?.LogInformation("Error processing operation {Target}. Retrying in {Delay}", Target, args.RetryDelay);
        }

        _services.Logger?.LogDebug(args.Outcome.Exception, "Retry {Retry} of operation {Target} in {Delay}", args.AttemptNumber + 1, Target, args.RetryDelay);
        return ValueTask.CompletedTask;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>What every copy of a policy shares: its clock, log, metrics and randomness.</summary>
    private sealed record PolicyServices(TimeProvider Time, ILogger? Logger, ResiliencyTelemetry? Telemetry, Func<double> Random);

    /// <summary>One execution: each call of <see cref="RunAsync"/> is one attempt through the breaker and the timeout.</summary>
    private sealed class Attempt<T>(
        ResiliencyPolicy policy,
        Func<CancellationToken, Task<T>> operation,
        Func<T, AttemptVerdict> classify,
        Action<T>? discard)
    {
        private int _attempts;

        public T? LastResult { get; private set; }

        public int Retries => Math.Max(0, _attempts - 1);

        public async Task<T> RunAsync(CancellationToken cancellationToken)
        {
            _attempts++;
            var breaker = policy.CircuitBreaker;
            long ticket = 0;
            if (breaker is not null)
            {
                try
                {
                    ticket = breaker.Enter();
                }
                catch (CircuitBreakerRejectedException rejection)
                {
                    policy._services.Telemetry?.Rejected(policy.Target, rejection, breaker.Policy.Name);
                    throw;
                }
            }

            T result;
            try
            {
                result = policy._timeout is { } timeout
                    ? await timeout.ExecuteAsync(static (op, ct) => new ValueTask<T>(op(ct)), operation, cancellationToken)
                    : await operation(cancellationToken);
            }
            catch (TimeoutRejectedException e)
            {
                breaker?.Complete(ticket, success: false);
                policy._services.Telemetry?.TimedOut(policy.Target);
                throw new ResiliencyTimeoutException(policy.Timeout!.Value, e);
            }
            catch
            {
                breaker?.Complete(ticket, success: false);
                throw;
            }

            var verdict = classify(result);
            breaker?.Complete(ticket, verdict.Succeeded);
            if (verdict.Succeeded)
            {
                if (_attempts > 1)
                {
                    policy._services.Logger?.LogInformation("Recovered processing operation {Target} after {Attempts} attempts", policy.Target, _attempts);
                }

                return result;
            }

            LastResult = result;
            throw new FailedAttemptException(this, verdict.StatusCode, () => discard?.Invoke(result));
        }
    }

    /// <summary>
    /// Carries a failed result through Polly's retry, which retries on exceptions: the retry
    /// predicate reads its status code, and the runner unwraps the last one.
    /// </summary>
    private sealed class FailedAttemptException : Exception
    {
        private readonly Action _discard;

        public FailedAttemptException(object owner, int? statusCode, Action discard)
            : base($"attempt failed with status {statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}")
        {
            Owner = owner;
            StatusCode = statusCode;
            _discard = discard;
        }

        public FailedAttemptException()
        {
            Owner = new object();
            _discard = () => { };
        }

        public FailedAttemptException(string message)
            : base(message)
        {
            Owner = new object();
            _discard = () => { };
        }

        public FailedAttemptException(string message, Exception innerException)
            : base(message, innerException)
        {
            Owner = new object();
            _discard = () => { };
        }

        public object Owner { get; }

        public int? StatusCode { get; }

        public void Discard() => _discard();
    }
}
