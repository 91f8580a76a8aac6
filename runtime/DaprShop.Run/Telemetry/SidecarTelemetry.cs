using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using DaprShop.Sidecar.State.Outbox;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprShop.Run.Telemetry;

/// <summary>
/// The sidecars' own telemetry, for the runner's process that hosts them: their spans (ActivitySource
/// <c>DaprShop.Sidecar</c>), the resiliency metrics (meter <c>DaprShop.Sidecar.Resiliency</c>: breaker state per
/// target, rejected calls, retries, timeouts) and the outbox backlog (meter <c>DaprShop.Sidecar.Outbox</c>), sent by OTLP to <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> when it is set, as the
/// services do, else to the dashboard the runner started.
/// </summary>
internal static class SidecarTelemetry
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>How often metrics go to the dashboard (the runner gives the apps the same).</summary>
    public static readonly TimeSpan MetricExportInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The providers to dispose at exit, or null when there is nowhere to send telemetry. With a dashboard the sidecars
    /// send to it, as the apps do, whatever <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> says, so that one trace stays in one place.
    /// </summary>
    public static IDisposable? Start(Uri? dashboard)
    {
        var configured = dashboard is null && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable));
        if (!configured && dashboard is null)
        {
            return null;
        }

        void Exporter(OtlpExporterOptions otlp)
        {
            if (!configured)
            {
                otlp.Endpoint = dashboard!;
                otlp.Protocol = OtlpExportProtocol.Grpc;
            }
        }

        var resource = ResourceBuilder.CreateDefault().AddService("daprshop-sidecars");
        var traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(TraceContext.Source.Name)
            .AddOtlpExporter(Exporter)
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(ResiliencyTelemetry.MeterName, OutboxRelay.MeterName)
            .AddOtlpExporter((otlp, reader) =>
            {
                Exporter(otlp);
                if (!configured)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)MetricExportInterval.TotalMilliseconds;
                }
            })
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
