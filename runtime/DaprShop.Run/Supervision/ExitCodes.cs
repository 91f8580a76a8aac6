namespace DaprShop.Run.Supervision;

/// <summary>The runner's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Stopped by Ctrl+C or SIGTERM (or --help).</summary>
    public const int Stopped = 0;

    /// <summary>The build, a sidecar or an app failed, an app exited on its own, or a port was taken.</summary>
    public const int Failed = 1;

    /// <summary>A bad command line or run file.</summary>
    public const int Usage = 2;
}
