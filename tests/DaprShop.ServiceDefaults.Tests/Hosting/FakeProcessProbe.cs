using System.Collections.Concurrent;
using DaprShop.ServiceDefaults.Hosting;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

/// <summary>Processes that run until the test says otherwise; counts the looks at each pid.</summary>
internal sealed class FakeProcessProbe : IProcessProbe
{
    private readonly ConcurrentDictionary<int, DateTime> _running = new();
    private readonly ConcurrentDictionary<int, int> _looks = new();

    public void Run(int pid, DateTime startedAt) => _running[pid] = startedAt;

    public void End(int pid) => _running.TryRemove(pid, out _);

    public int Looks(int pid) => _looks.GetValueOrDefault(pid);

    public DateTime? StartTime(int pid)
    {
        _looks.AddOrUpdate(pid, 1, (_, n) => n + 1);
        return _running.TryGetValue(pid, out var started) ? started : null;
    }
}
