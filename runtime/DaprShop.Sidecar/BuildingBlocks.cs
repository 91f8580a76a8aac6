using DaprShop.Sidecar.Health;
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
    }

    public static void MapHttpApis(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthApi();
    }
}
