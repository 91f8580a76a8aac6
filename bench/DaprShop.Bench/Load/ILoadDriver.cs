namespace DaprShop.Bench.Load;

/// <summary>Offers a workload's requests for a while, recording each; returns once every request sent has answered.</summary>
internal interface ILoadDriver
{
    Task RunAsync(Workload workload, LoadRecorder recorder, TimeSpan duration, long maxRequests, CancellationToken cancellationToken);
}
