using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Microsoft.Extensions.Options;

namespace OrderService.Actors;

/// <summary>
/// Order actors through the sidecar's actor API (<c>PUT /v1.0/actors/OrderActor/{orderId}/method/...</c>), with
/// JSON remoting, the same serialization the actor runtime of this app is configured with.
/// </summary>
public sealed class DaprOrderActors : IOrderActors
{
    private readonly IActorProxyFactory proxies;
    private readonly ActorProxyOptions options;

    public DaprOrderActors(IActorProxyFactory proxies, IOptions<ActorRuntimeOptions> runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);

        // Resolving the factory first (it is a constructor argument) fills in the runtime options' endpoint and token.
        this.proxies = proxies;
        options = new ActorProxyOptions
        {
            UseJsonSerialization = runtime.Value.UseJsonSerialization,
            JsonSerializerOptions = runtime.Value.JsonSerializerOptions,
            HttpEndpoint = runtime.Value.HttpEndpoint,
            DaprApiToken = runtime.Value.DaprApiToken,
        };
    }

    public IOrderActor ForOrder(string orderId) => proxies.CreateActorProxy<IOrderActor>(new ActorId(orderId), OrderActor.TypeName, options);
}
