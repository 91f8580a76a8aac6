using DaprShop.Sidecar.Invocation;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// Service invocation under the caller's <c>targets.apps</c> policy (or the default app policies),
/// as daprd's HTTP API runs it (dapr/dapr <c>pkg/api/http/directmessaging.go</c>):
/// <list type="bullet">
/// <item>An attempt fails when the sidecars cannot deliver it, when it times out, or when the app
/// answers a status below 200 or above 399; the body of such an answer is read in full within the
/// attempt.</item>
/// <item>When retries are spent the caller gets the app's last status, headers and body, or the
/// last sidecar error.</item>
/// <item>A breaker's rejection and a timeout are 500 <c>ERR_DIRECT_INVOKE</c> with
/// <c>failed to invoke, id: {app}, err: circuit breaker is open</c> (or <c>too many requests</c>,
/// or <c>context deadline exceeded</c>).</item>
/// <item>A request whose body streams without a length is never retried (its body cannot be
/// replayed) but still counts in the breaker.</item>
/// </list>
/// </summary>
public sealed class ResiliencyInvocationPolicy(IResiliencyPolicyProvider policies) : IInvocationPolicy
{
    public async Task<HttpResponseMessage> ExecuteAsync(InvocationCall invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var policy = policies.ForApp(invocation.TargetAppId);
        if (policy.IsEmpty)
        {
            return await invocation.SendAsync(cancellationToken);
        }

        var streaming = invocation.HasStreamingBody;
        if (streaming)
        {
            policy = policy.WithoutRetries();
        }
        else if (policy.HasRetries)
        {
            await invocation.EnableReplayAsync(cancellationToken);
        }

        try
        {
            return await policy.ExecuteAsync(
                async ct =>
                {
                    var response = await invocation.SendAsync(ct);
                    if (!streaming && IsFailure(response))
                    {
                        try
                        {
                            await response.Content.LoadIntoBufferAsync(ct);
                        }
                        catch
                        {
                            response.Dispose();
                            throw;
                        }
                    }

                    return response;
                },
                response => IsFailure(response) ? AttemptVerdict.Failure((int)response.StatusCode) : AttemptVerdict.Success,
                response => response.Dispose(),
                cancellationToken);
        }
        catch (CircuitBreakerRejectedException e)
        {
            throw new InvocationException(StatusCodes.Status500InternalServerError, e.Message, e);
        }
        catch (ResiliencyTimeoutException e)
        {
            throw new InvocationException(StatusCodes.Status500InternalServerError, e.Message, e);
        }
    }

    private static bool IsFailure(HttpResponseMessage response) => (int)response.StatusCode is < 200 or > 399;
}
