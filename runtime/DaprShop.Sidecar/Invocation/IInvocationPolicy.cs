namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// What the caller's sidecar wraps around sending an invocation to a target app: the seam for
/// resiliency policies (timeouts, retries, a circuit breaker per target app). An implementation
/// calls <see cref="InvocationCall.SendAsync"/> once per attempt (after
/// <see cref="InvocationCall.EnableReplayAsync"/> when it may retry), decides from the response's
/// status or the <see cref="InvocationException"/> whether to try again, disposes the responses
/// it discards, and returns the response the caller gets. To reject without calling (an open
/// breaker), throw an <see cref="InvocationException"/> with the reason.
/// </summary>
/// <remarks>
/// A singleton of the sidecar's services; the default (<see cref="SingleAttemptInvocationPolicy"/>)
/// makes exactly one attempt. A resiliency building block swaps it with
/// <c>services.Replace(ServiceDescriptor.Singleton&lt;IInvocationPolicy, ...&gt;())</c>, or
/// registers its own before invocation does (the default is added with <c>TryAdd</c>).
/// </remarks>
public interface IInvocationPolicy
{
    Task<HttpResponseMessage> ExecuteAsync(InvocationCall invocation, CancellationToken cancellationToken);
}

/// <summary>No policy: one attempt, its outcome as it is.</summary>
public sealed class SingleAttemptInvocationPolicy : IInvocationPolicy
{
    public Task<HttpResponseMessage> ExecuteAsync(InvocationCall invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return invocation.SendAsync(cancellationToken);
    }
}
