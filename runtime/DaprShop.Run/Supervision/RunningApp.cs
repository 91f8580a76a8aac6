using DaprShop.Run.Apps;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Supervision;

/// <summary>An app of the run with its sidecar, its process (none for a sidecar without a command) and the URL of its health check.</summary>
internal sealed record RunningApp(RunFileApp App, Sidecar.Sidecar Sidecar, AppProcess? Process, Uri? HealthUrl);
