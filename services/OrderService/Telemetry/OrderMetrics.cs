using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrderService.Domain;
using OrderService.Domain.Events;

namespace OrderService.Telemetry;

/// <summary>
/// The order business in numbers (meter <see cref="MeterName"/>, exported with the service's other metrics): orders
/// placed, settled by final status, payments deferred and mismatched, and how long payment took to answer a capture and
/// what it answered. Counted from the events an order saved, so a repeated request or a replayed reminder counts nothing.
/// </summary>
public sealed class OrderMetrics
{
    public const string MeterName = "DaprShop.Orders";

    private readonly Counter<long> placed;
    private readonly Counter<long> settled;
    private readonly Counter<long> deferred;
    private readonly Counter<long> mismatched;
    private readonly Histogram<double> captureDuration;

    public OrderMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        placed = meter.CreateCounter<long>("daprshop.orders.placed", "{order}", "Orders placed (a repeated request with the same Idempotency-Key is not counted again).");
        settled = meter.CreateCounter<long>("daprshop.orders.settled", "{order}", "Orders that reached a final status, by status (daprshop.order.status: confirmed, rejected, cancelled).");
        deferred = meter.CreateCounter<long>("daprshop.orders.payment_deferred", "{order}", "Orders whose payment could not be asked (payment down, timed out or its breaker open); reminders retry them.");
        mismatched = meter.CreateCounter<long>("daprshop.orders.payment_mismatched", "{order}", "Orders whose capture did not match their id, total or currency; the capture is refunded and the order cancelled.");
        captureDuration = meter.CreateHistogram<double>(
            "daprshop.payment.capture.duration",
            "s",
            "How long payment took to answer a capture, through both sidecars, by answer (daprshop.payment.outcome: captured, declined, unavailable).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    }

    /// <summary>Counts what the saved events say happened.</summary>
    public void Saved(IEnumerable<RecordedOrderEvent> appended)
    {
        ArgumentNullException.ThrowIfNull(appended);
        foreach (var recorded in appended)
        {
            switch (recorded.Event)
            {
                case OrderPlaced:
                    placed.Add(1);
                    break;
                case OrderConfirmed:
                    settled.Add(1, new KeyValuePair<string, object?>("daprshop.order.status", "confirmed"));
                    break;
                case OrderRejected:
                    settled.Add(1, new KeyValuePair<string, object?>("daprshop.order.status", "rejected"));
                    break;
                case OrderCancelled:
                    settled.Add(1, new KeyValuePair<string, object?>("daprshop.order.status", "cancelled"));
                    break;
                case PaymentDeferred:
                    deferred.Add(1);
                    break;
                case PaymentMismatched:
                    mismatched.Add(1);
                    break;
            }
        }
    }

    /// <summary>Records one capture call: how long since <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) and its answer.</summary>
    public void CaptureAnswered(long startedAt, PaymentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var answer = outcome switch
        {
            PaymentOutcome.Captured => "captured",
            PaymentOutcome.Declined => "declined",
            _ => "unavailable",
        };
        captureDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("daprshop.payment.outcome", answer));
    }
}
