using System.Runtime.InteropServices;

namespace DaprShop.Run.Supervision;

/// <summary>
/// Ctrl+C, SIGTERM, SIGQUIT and SIGHUP: the first asks the runner to stop everything gracefully
/// (<see cref="Stopping"/>), a second one to stop at once (<see cref="Force"/>).
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _force = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _count;

    public StopSignal()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    /// <summary>Cancelled on the first signal.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled on the second signal.</summary>
    public CancellationToken Force => _force.Token;

    /// <summary>The name of the first signal received, for the log.</summary>
    public string? Received { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stopping.Dispose();
        _force.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The runner stops its apps and sidecars itself, then exits with its own code.
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            Received = context.Signal.ToString();
            _stopping.Cancel();
        }
        else
        {
            _force.Cancel();
        }
    }
}
