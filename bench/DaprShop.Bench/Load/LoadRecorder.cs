using System.Diagnostics;
using HdrHistogram;

namespace DaprShop.Bench.Load;

/// <summary>
/// Measures the requests of one load phase: <see cref="MeasureAsync"/> sends one and records it in its series,
/// latency counted from the time it was meant to be sent (the open model's schedule, so a slow answer that
/// holds up later requests is charged to them too: no coordinated omission), service time from the time it was
/// actually sent, and the send lag between the two.
/// </summary>
internal sealed class LoadRecorder
{
    private readonly SeriesRecorder[] _series;
    private readonly Recorder _sendLag = Histograms.CreateRecorder();
    private readonly Lock _collecting = new();
    private long _inFlight;

    public LoadRecorder(IReadOnlyList<string> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        _series = [.. series.Select(name => new SeriesRecorder(name))];
    }

    public IReadOnlyList<SeriesRecorder> Series => _series;

    /// <summary>How late requests left against their schedule, all series together (collected by <see cref="Collect"/>).</summary>
    public HistogramBase SendLag { get; } = Histograms.Create();

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Requests => _series.Sum(s => s.Requests);

    public long Errors => _series.Sum(s => s.Errors);

    /// <summary>Sends request <paramref name="sequence"/> of <paramref name="workload"/> and records it.</summary>
    /// <param name="intendedTimestamp">When it was meant to leave (<see cref="Stopwatch.GetTimestamp"/>).</param>
    public async Task MeasureAsync(Workload workload, long sequence, long intendedTimestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var series = _series[workload.SeriesOf(sequence)];
        Interlocked.Increment(ref _inFlight);
        var sent = Stopwatch.GetTimestamp();
        Outcome outcome;
        try
        {
            outcome = await workload.SendAsync(sequence, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            outcome = Outcome.Failure(e);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        var done = Stopwatch.GetTimestamp();
        _sendLag.RecordValue(Histograms.Micros(sent - intendedTimestamp));
        series.Record(Histograms.Micros(done - intendedTimestamp), Histograms.Micros(done - sent), outcome);
    }

    /// <summary>Counts request <paramref name="sequence"/> as due but never sent.</summary>
    public void RecordNotSent(Workload workload, long sequence)
    {
        ArgumentNullException.ThrowIfNull(workload);
        _series[workload.SeriesOf(sequence)].RecordNotSent();
    }

    /// <summary>Moves what was recorded since the last call into the totals.</summary>
    public void Collect()
    {
        lock (_collecting)
        {
            foreach (var series in _series)
            {
                series.Collect();
            }

            SendLag.Add(_sendLag.GetIntervalHistogram());
        }
    }

    /// <summary>The latency of every series together, collected so far.</summary>
    public HistogramBase CombinedLatency()
    {
        var combined = Histograms.Create();
        foreach (var series in _series)
        {
            combined.Add(series.Latency);
        }

        return combined;
    }
}
