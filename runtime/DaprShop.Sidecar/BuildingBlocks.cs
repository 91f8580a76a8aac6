using DaprShop.Sidecar.Actors;
using DaprShop.Sidecar.Bindings;
using DaprShop.Sidecar.Health;
using DaprShop.Sidecar.Invocation;
using DaprShop.Sidecar.Metadata;
using DaprShop.Sidecar.PubSub;
using DaprShop.Sidecar.Resiliency;
using DaprShop.Sidecar.Secrets;
using DaprShop.Sidecar.State;
using DaprShop.Sidecar.State.Outbox;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar;

/// <summary>
/// The one list of the sidecar's building blocks: what each adds to the sidecar's services and
/// which HTTP routes it maps. gRPC methods bind themselves (see <c>Grpc/DaprGrpcService.cs</c>).
/// </summary>
internal static class BuildingBlocks
{
    public static void AddServices(IServiceCollection services)
    {
        _ = services;
        services.AddSingleton<StateService>();
        services.AddSingleton<SecretsService>();
        services.AddSingleton<BindingService>();
        services.AddSingleton<MetadataService>();
        services.AddInvocation();
        services.AddPubSub();
        services.AddOutbox();
        services.AddActors();
        services.AddResiliency();
    }

    public static void MapHttpApis(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthApi();
        endpoints.MapStateApi();
        endpoints.MapSecretsApi();
        endpoints.MapBindingsApi();
        endpoints.MapMetadataApi();
        endpoints.MapPubSubApi();
        endpoints.MapActorsApi();

        // Last: service invocation is the HTTP API's fallback route, as in daprd.
        endpoints.MapInvocationApi();
    }
}
