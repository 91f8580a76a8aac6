namespace DaprShop.Sidecar.Resiliency;

/// <summary>The kinds of component a policy can target, with daprd's names (used in the default policy names).</summary>
public enum ComponentKind
{
    Statestore,
    Pubsub,
    Binding,
    Secretstore,
    Configuration,
    Lock,
    Crypto,
}

/// <summary>
/// The resiliency policy for each kind of call a sidecar makes, as daprd's
/// <c>resiliency.Provider</c> hands them out (dapr/dapr <c>pkg/resiliency/resiliency.go</c>):
/// a target's named policies when <c>targets</c> lists it, otherwise the most specific
/// <c>Default...Policy</c> of each kind (for a state store's outbound retry:
/// <c>DefaultStatestoreComponentOutboundRetryPolicy</c>, <c>DefaultComponentOutboundRetryPolicy</c>,
/// <c>DefaultComponentRetryPolicy</c>, <c>DefaultRetryPolicy</c>), otherwise none. Circuit
/// breakers keep their state across calls: one per target app, one per component, one per actor
/// type (or per actor id, by the target's <c>circuitBreakerScope</c>). A singleton of the
/// sidecar's services.
/// </summary>
public interface IResiliencyPolicyProvider
{
    /// <summary>For service invocation of <paramref name="appId"/>, applied by the caller's sidecar (<c>targets.apps</c>).</summary>
    ResiliencyPolicy ForApp(string appId);

    /// <summary>For calls from the sidecar to a component: state, publish, output bindings, secrets (<c>outbound</c>).</summary>
    ResiliencyPolicy ForComponentOutbound(string componentName, ComponentKind kind);

    /// <summary>For deliveries from a component to the app: pub/sub messages, input bindings (<c>inbound</c>).</summary>
    ResiliencyPolicy ForComponentInbound(string componentName, ComponentKind kind);

    /// <summary>
    /// For calls to an actor (<c>targets.actors</c>). daprd applies the retry and the breaker
    /// before it takes the actor's turn lock and the timeout after (<c>ActorPreLockPolicy</c>,
    /// <c>ActorPostLockPolicy</c>); <see cref="ForActorPreLock"/> and <see cref="ForActorPostLock"/>
    /// split it that way, and this one has all three.
    /// </summary>
    ResiliencyPolicy ForActor(string actorType, string actorId);

    /// <summary>Retry and circuit breaker for an actor call, to wrap the wait for the actor's turn.</summary>
    ResiliencyPolicy ForActorPreLock(string actorType, string actorId);

    /// <summary>The timeout for an actor call, to wrap the call once the actor's turn is taken.</summary>
    ResiliencyPolicy ForActorPostLock(string actorType, string actorId);

    /// <summary>One of daprd's built-in retry policies (<see cref="ResiliencySpec.BuiltInServiceRetries"/> and the others), as overridden by the documents.</summary>
    ResiliencyPolicy ForBuiltIn(string name);
}
