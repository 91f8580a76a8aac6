using System.Diagnostics;
using System.Globalization;
using DaprShop.ServiceDefaults.Hosting;
using DaprShop.Testing;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

public sealed class ProcessProbeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_running_process_has_the_same_start_time_at_every_look()
    {
        var first = ProcessProbe.Instance.StartTime(Environment.ProcessId);

        Assert.NotNull(first);
        Assert.True(first <= DateTime.Now);
        Assert.Equal(first, ProcessProbe.Instance.StartTime(Environment.ProcessId));
    }

    [Fact]
    public void A_pid_with_no_process_has_no_start_time() =>
        Assert.Null(ProcessProbe.Instance.StartTime(int.MaxValue));

    [Fact]
    public async Task A_process_that_exited_but_was_not_reaped_has_no_start_time()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The shell starts a child that exits at once, then becomes a sleep that never reaps it.
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, ArgumentList = { "-c", "sleep 0 & echo $!; exec sleep 300" } };
        using var parent = Process.Start(start)!;
        try
        {
            var zombie = int.Parse((await parent.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            await Eventually.WaitAsync(() => File.ReadAllText($"/proc/{zombie}/stat").Contains(") Z ", StringComparison.Ordinal), Deadline, $"pid {zombie} to be a zombie");

            Assert.Null(ProcessProbe.Instance.StartTime(zombie));
        }
        finally
        {
            parent.Kill();
            await parent.WaitForExitAsync();
        }
    }
}
