using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprShop.Sidecar.Health;

/// <summary>
/// daprd's health endpoints. <c>/v1.0/healthz</c> answers 204 once the sidecar is initialised
/// and its app is reachable, 500 before that; <c>/v1.0/healthz/outbound</c> answers 204 as soon as
/// the sidecar can serve outbound calls (components loaded), which is what the SDK's
/// <c>WaitForSidecarAsync</c> polls.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1.0/healthz", (SidecarContext sidecar) =>
            sidecar.App.IsReady
                ? Results.NoContent()
                : new DaprError("ERR_HEALTH_NOT_READY", "dapr is not ready").ToResult(StatusCodes.Status500InternalServerError));
        endpoints.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        return endpoints;
    }
}
