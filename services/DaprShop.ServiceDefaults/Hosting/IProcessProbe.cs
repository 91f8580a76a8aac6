namespace DaprShop.ServiceDefaults.Hosting;

/// <summary>What <see cref="ParentProcessWatch"/> asks of the operating system: the seam a test replaces.</summary>
internal interface IProcessProbe
{
    /// <summary>
    /// When the process with this id started, or null when none runs under it (one that has exited
    /// but not yet been reaped counts as none). A reused id gives another start time.
    /// </summary>
    DateTime? StartTime(int pid);
}
