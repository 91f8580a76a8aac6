using System.Collections.Concurrent;
using HdrHistogram;

namespace DaprShop.Bench.Load;

/// <summary>
/// One series' measurements while load runs: every request's latency (from its intended send time) and service
/// time (from its actual send time) in thread-safe HDR recorders, and its outcomes by kind. <see cref="Collect"/>
/// moves what was recorded since the last call into the totals, once a second and at the end.
/// </summary>
internal sealed class SeriesRecorder(string name)
{
    private readonly Recorder _latency = Histograms.CreateRecorder();
    private readonly Recorder _serviceTime = Histograms.CreateRecorder();
    private readonly ConcurrentDictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _examples = new(StringComparer.Ordinal);
    private readonly Lock _collecting = new();
    private long _requests;
    private long _errors;
    private long _notSent;

    public string Name { get; } = name;

    /// <summary>Everything collected so far; read it after <see cref="Collect"/>, from the collecting thread.</summary>
    public HistogramBase Latency { get; } = Histograms.Create();

    public HistogramBase ServiceTime { get; } = Histograms.Create();

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Requests that fell due but were never sent: the open model stopped at its end time with them still waiting.</summary>
    public long NotSent => Interlocked.Read(ref _notSent);

    public IReadOnlyDictionary<string, long> Outcomes => _outcomes;

    /// <summary>For each kind of error, what the first one of that kind said.</summary>
    public IReadOnlyDictionary<string, string> ErrorExamples => _examples;

    public void Record(long latencyMicros, long serviceMicros, Outcome outcome)
    {
        _latency.RecordValue(latencyMicros);
        _serviceTime.RecordValue(serviceMicros);
        _outcomes.AddOrUpdate(outcome.Kind, 1, (_, n) => n + 1);
        if (outcome.IsError)
        {
            Interlocked.Increment(ref _errors);
            if (outcome.Detail is { } detail)
            {
                _examples.TryAdd(outcome.Kind, detail);
            }
        }

        Interlocked.Increment(ref _requests);
    }

    public void RecordNotSent() => Interlocked.Increment(ref _notSent);

    public void Collect()
    {
        lock (_collecting)
        {
            Latency.Add(_latency.GetIntervalHistogram());
            ServiceTime.Add(_serviceTime.GetIntervalHistogram());
        }
    }
}
