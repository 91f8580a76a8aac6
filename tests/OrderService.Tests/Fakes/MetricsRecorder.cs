using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrderService.Tests.Fakes;

/// <summary>
/// What the meters of one <see cref="IMeterFactory"/> recorded: every measurement with its instrument name and tags.
/// Only that factory's meters are heard, so tests running side by side do not see each other's numbers.
/// Shared by the service test projects (linked source).
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> measurements = new();

    public MetricsRecorder(IMeterFactory factory)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include every one of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags) =>
        Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> took with every one of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, object Value)[] tags) =>
        Matching(instrument, tags).Count();

    public void Dispose() => listener.Dispose();

    private IEnumerable<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> Matching(string instrument, (string Key, object Value)[] tags) =>
        measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        measurements.Enqueue((instrument.Name, value, copy));
    }
}
