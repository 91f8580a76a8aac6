using DaprShop.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprShop.ServiceDefaults.Telemetry;

internal static class TelemetryExtensions
{
    private const string GrpcClientSource = "Grpc.Net.Client";

    private const string BusinessMeters = "DaprShop.*";

    /// <summary>
    /// Traces and metrics for ASP.NET Core, HttpClient (which also carries the Dapr SDK's gRPC calls) and the runtime,
    /// exported over OTLP, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without it nothing is registered: spans and
    /// measurements no exporter reads cost every request (profiled: a few percent of each service's CPU), while the
    /// W3C <c>traceparent</c> is still carried from request to outgoing call by ASP.NET Core's and HttpClient's own
    /// activities.
    /// </summary>
    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceIdentity.Name(builder)))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !Extensions.IsHealthCheck(context.Request.Path))
                .AddHttpClientInstrumentation()
                // The Dapr SDK's gRPC calls to the sidecar (state, actors, secrets), named by their Dapr API method.
                .AddSource(GrpcClientSource))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // The services' business meters: DaprShop.Orders, DaprShop.Notifications.
                .AddMeter(BusinessMeters))
            .WithLogging()
            .UseOtlpExporter();
    }
}
