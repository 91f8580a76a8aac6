using DaprShop.Sidecar.PubSub;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// Delivery of pub/sub events to the app under the component's <c>inbound</c> policy (or the
/// default inbound policies), as daprd runs <c>postman.Deliver</c> inside
/// <c>ComponentInboundPolicy(pubsub, Pubsub)</c> (dapr/dapr <c>pkg/runtime/subscription/subscription.go</c>).
/// A <c>RETRY</c> answer, an error status or an unreachable app is a failed attempt;
/// <c>SUCCESS</c> and <c>DROP</c> are not. Only an error status carries a code for the retry
/// policy's <c>matching</c> (<c>postman/http/http.go</c> returns a code error for it alone). Once the
/// policy gives up, the subscription's dead-letter topic or the component's own redelivery takes
/// over. daprd has no built-in inbound retry: without a policy each delivery is one attempt.
/// </summary>
public sealed class ResiliencyDeliveryPolicy(IResiliencyPolicyProvider policies) : IInboundDeliveryPolicy
{
    public async Task<DeliveryResult> ExecuteAsync(InboundDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var policy = policies.ForComponentInbound(delivery.PubsubName, ComponentKind.Pubsub);
        if (policy.IsEmpty)
        {
            return await delivery.AttemptAsync(cancellationToken);
        }

        try
        {
            return await policy.ExecuteAsync(delivery.AttemptAsync, Judge, null, cancellationToken);
        }
        catch (CircuitBreakerRejectedException e)
        {
            return new DeliveryResult(DeliveryStatus.Retry, null, $"delivery of event {delivery.EventId} on topic {delivery.Topic} not attempted: {e.Message}");
        }
        catch (ResiliencyTimeoutException e)
        {
            return new DeliveryResult(DeliveryStatus.Retry, null, $"delivery of event {delivery.EventId} on topic {delivery.Topic} failed: {e.Message}");
        }
    }

    private static AttemptVerdict Judge(DeliveryResult result) => result.Status switch
    {
        DeliveryStatus.Retry => AttemptVerdict.Failure(result.StatusCode is { } code && code is < 200 or > 299 ? code : null),
        _ => AttemptVerdict.Success,
    };
}
