using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprShop.Run.Telemetry;

/// <summary>
/// The sidecars' own telemetry, for the runner's process that hosts them: their invocation spans
/// (ActivitySource <c>DaprShop.Sidecar</c>) and the resiliency metrics (meter
/// <c>DaprShop.Sidecar.Resiliency</c>: breaker state per target, rejected calls, retries, timeouts),
/// sent by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, as the services do.
/// </summary>
internal static class SidecarTelemetry
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The providers to dispose at exit, or null when no OTLP endpoint is configured.</summary>
    public static IDisposable? StartIfConfigured()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return null;
        }

        var resource = ResourceBuilder.CreateDefault().AddService("daprshop-sidecars");
        var traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TraceContext.Source.Name)
            .AddOtlpExporter()
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(ResiliencyTelemetry.MeterName)
            .AddOtlpExporter()
            .Build();
        return new Providers(traces, metrics);
    }

    private sealed class Providers(TracerProvider traces, MeterProvider metrics) : IDisposable
    {
        public void Dispose()
        {
            traces.Dispose();
            metrics.Dispose();
        }
    }
}
