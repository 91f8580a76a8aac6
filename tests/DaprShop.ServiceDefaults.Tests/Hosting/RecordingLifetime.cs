using Microsoft.Extensions.Hosting;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

/// <summary>An application lifetime that records <see cref="StopApplication"/> and does nothing else.</summary>
internal sealed class RecordingLifetime : IHostApplicationLifetime
{
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task StopRequested => _stopRequested.Task;

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => _stopRequested.TrySetResult();
}
