using System.Diagnostics.Metrics;
using NotificationService.Domain;

namespace NotificationService.Telemetry;

/// <summary>
/// Notifications in numbers (meter <see cref="MeterName"/>): how many were sent, by channel, and how long after the
/// order event they went out (the lag of the whole asynchronous path: outbox, broker, delivery, sending).
/// </summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "DaprShop.Notifications";

    private readonly Counter<long> sent;
    private readonly Histogram<double> lag;

    public NotificationMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        sent = meter.CreateCounter<long>("daprshop.notifications.sent", "{notification}", "Notifications sent, by channel (daprshop.notification.channel).");
        lag = meter.CreateHistogram<double>(
            "daprshop.notification.lag",
            "s",
            "From the order event (its occurredAt) to its notification being sent.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    public void Sent(Notification notification, DateTimeOffset eventOccurredAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var channel = new KeyValuePair<string, object?>("daprshop.notification.channel", notification.Channel);
        sent.Add(1, channel);
        lag.Record(Math.Max(0, (now - eventOccurredAt).TotalSeconds), channel);
    }
}
