using System.Collections.Concurrent;
using DaprShop.ServiceDefaults.Hosting;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

/// <summary>
/// Another probe's answers, with the looks at each pid counted, except that this process (which
/// plays the app, and so must have started after the runner it watches) started at <paramref name="thisProcessStarted"/>.
/// </summary>
internal sealed class CountingProcessProbe(IProcessProbe inner, DateTime thisProcessStarted) : IProcessProbe
{
    private readonly ConcurrentDictionary<int, int> _looks = new();

    public int Looks(int pid) => _looks.GetValueOrDefault(pid);

    public DateTime? StartTime(int pid)
    {
        _looks.AddOrUpdate(pid, 1, (_, n) => n + 1);
        return pid == Environment.ProcessId ? thisProcessStarted : inner.StartTime(pid);
    }
}
