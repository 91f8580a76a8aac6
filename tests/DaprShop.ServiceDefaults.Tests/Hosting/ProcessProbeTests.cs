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

        // The shell starts a child that waits for the end of the test's input, then becomes a sleep,
        // which never reaps it: once the input ends, the child exits and stays a zombie.
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            ArgumentList = { "-c", "exec 3<&0; { read line <&3; } & echo $!; exec sleep 300" },
        };
        using var parent = Process.Start(start)!;
        try
        {
            var child = int.Parse((await parent.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            await Eventually.WaitAsync(() => ProcFile(parent.Id, "comm") == "sleep\n", Deadline, "the shell to become a sleep");
            Assert.NotNull(ProcessProbe.Instance.StartTime(child));

            parent.StandardInput.Close();
            await Eventually.WaitAsync(() => ProcFile(child, "stat")?.Contains(") Z ", StringComparison.Ordinal) == true, Deadline, $"pid {child} to be a zombie");

            Assert.Null(ProcessProbe.Instance.StartTime(child));
        }
        finally
        {
            parent.Kill();
            await parent.WaitForExitAsync();
        }
    }

    private static string? ProcFile(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{name}");
        }
        catch (IOException)
        {
            return null;
        }
    }
}
