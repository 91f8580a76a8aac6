using System.Text.Json.Nodes;

namespace DaprShop.Testing.Drills;

/// <summary>
/// A running shop the crash drill may kill: started by the runner with <c>--restart-on-exit</c> for every app, so
/// an app killed alone comes back by itself, while a killed runner is started again by <see cref="StartRunnerAsync"/>.
/// </summary>
public interface IDrillShop
{
    /// <summary>The components profile (<c>embedded</c>, <c>redis</c>, <c>postgres</c>): notifications are checked only on a durable one.</summary>
    string Profile { get; }

    /// <summary>The gateway's base address, the only door the drill's customers use.</summary>
    Uri GatewayUrl { get; }

    /// <summary>Kills the app's process outright (SIGKILL); its sidecar stays up and the runner starts the app again.</summary>
    Task KillAppAsync(string appId, CancellationToken cancellationToken);

    /// <summary>Kills the runner and every process it started at once (SIGKILL).</summary>
    Task KillRunnerAsync(CancellationToken cancellationToken);

    /// <summary>Starts the runner again on the same files and databases and waits for its ready line.</summary>
    Task StartRunnerAsync(CancellationToken cancellationToken);

    /// <summary>payment-service's record of the order's payment (<c>GET /payments/{orderId}</c>), or null when it has none.</summary>
    Task<JsonObject?> ReadPaymentAsync(string orderId, CancellationToken cancellationToken);
}
