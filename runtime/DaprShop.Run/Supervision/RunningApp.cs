using DaprShop.Run.Apps;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Supervision;

/// <summary>
/// An instance of an app of the run with its sidecar, its process (none for a sidecar without a command) and the URL of
/// its health check; <paramref name="Name"/> is the app id, or <c>order-service#2</c> for an app with several instances.
/// </summary>
internal sealed record RunningApp(string Name, RunFileApp App, Sidecar.Sidecar Sidecar, AppProcess? Process, Uri? HealthUrl);
