using DaprShop.Sidecar.Actors;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Bindings;
using DaprShop.Sidecar.Grpc;
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
/// which HTTP routes and which gRPC methods of the Dapr service it maps.
/// </summary>
internal static class BuildingBlocks
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<AppCallbackInvoker>();
        services.AddSingleton<AppHealthMonitor>();
        services.AddSingleton<StateService>();
        services.AddSingleton<SecretsService>();
        services.AddSingleton<BindingService>();
        services.AddSingleton<InputBindingManager>();
        services.AddSingleton<IAppReadyListener>(sp => sp.GetRequiredService<InputBindingManager>());
        services.AddSingleton<IAppHealthListener>(sp => sp.GetRequiredService<InputBindingManager>());
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<InputBindingManager>());
        services.AddSingleton<MetadataService>();
        services.AddInvocation();
        services.AddPubSub();
        services.AddOutbox();
        services.AddActors();
        services.AddResiliency();
        services.AddSingleton(provider => MapGrpcApis(new DaprGrpcMethods(), provider));
    }

    /// <summary>Each block's gRPC front end, bound with its service (resolved once, here).</summary>
    public static DaprGrpcMethods MapGrpcApis(DaprGrpcMethods methods, IServiceProvider services) =>
        methods
            .MapStateGrpcApi(services.GetRequiredService<StateService>())
            .MapSecretsGrpcApi(services.GetRequiredService<SecretsService>())
            .MapBindingsGrpcApi(services.GetRequiredService<BindingService>())
            .MapMetadataGrpcApi(services.GetRequiredService<MetadataService>())
            .MapPubSubGrpcApi(services.GetRequiredService<PubSubPublisher>())
            .MapActorsGrpcApi(services.GetRequiredService<ActorRuntime>())
            .MapInvocationGrpcApi(services.GetRequiredService<InvocationForwarder>());

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
