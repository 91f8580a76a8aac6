namespace DaprShop.Bench.Load;

/// <summary>
/// What a load driver sends: request number <c>sequence</c> belongs to series <see cref="SeriesOf"/> (one
/// histogram each, e.g. direct and via sidecars, interleaved request by request) and is sent by
/// <see cref="SendAsync"/>, which reads the whole answer and says what it came to.
/// </summary>
internal abstract class Workload
{
    public abstract IReadOnlyList<string> Series { get; }

    public virtual int SeriesOf(long sequence) => 0;

    /// <summary>
    /// Called after the warm-up, before <see cref="StartMeasuring"/>, with no load running: waits out the work the
    /// warm-up left queued in the system under test, so that the measured run does not inherit its backlog.
    /// </summary>
    public virtual Task SettleAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called between the warm-up and the measured run.</summary>
    public virtual void StartMeasuring()
    {
    }

    /// <summary>Sends one request. Exceptions are counted as errors by kind (<see cref="Outcome.Failure"/>).</summary>
    public abstract Task<Outcome> SendAsync(long sequence, CancellationToken cancellationToken);
}
