using System.Diagnostics;
using System.Text;
using DaprShop.Run.Logging;

namespace DaprShop.Run.Apps;

/// <summary>
/// One running app: its standard output and error go line by line to the console behind its
/// prefix; <see cref="StopAsync"/> asks it to stop with SIGTERM (it and every process it started)
/// and kills the whole tree after a grace period.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(string appId, Process process)
    {
        AppId = appId;
        _process = process;
    }

    public string AppId { get; }

    /// <summary>The process id of the command (for <c>dotnet run</c>, the wrapper around the app).</summary>
    public int Id => _process.Id;

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Starts the app; throws <see cref="System.ComponentModel.Win32Exception"/> when the program cannot be started.</summary>
    public static AppProcess Start(AppLaunch launch, PrefixedConsole console)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(console);
        var start = new ProcessStartInfo(launch.FileName)
        {
            WorkingDirectory = launch.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(console, launch.AppId, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(console, launch.AppId, e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"could not start {launch.FileName}");
        }

        // The apps read nothing from the terminal: closing their input keeps keystrokes for the runner.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new AppProcess(launch.AppId, process);
        _ = app.WatchAsync();
        return app;
    }

    /// <summary>
    /// SIGTERM to the process and its descendants, then, if it is still running after
    /// <paramref name="grace"/> (or as soon as <paramref name="force"/> fires), a kill of the whole tree.
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken force)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        var tree = ProcessTree.Descendants(_process.Id);
        foreach (var pid in tree.Prepend(_process.Id))
        {
            ProcessTree.Signal(pid, ProcessTree.SigTerm);
        }

        if (OperatingSystem.IsWindows())
        {
            grace = TimeSpan.Zero;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(force);
        deadline.CancelAfter(grace);
        try
        {
            await _exited.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree();
        }

        // A descendant that outlived the process it was started by (a dotnet run wrapper that
        // exited first) gets what is left of the grace period, then SIGKILL.
        foreach (var pid in tree.Where(ProcessTree.IsAlive))
        {
            while (ProcessTree.IsAlive(pid) && !deadline.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }

            ProcessTree.Signal(pid, ProcessTree.SigKill);
        }

        await _exited.Task;
    }

    public void Dispose() => _process.Dispose();

    private static void Forward(PrefixedConsole console, string appId, string? line)
    {
        if (line is not null)
        {
            console.App(appId, line);
        }
    }

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private async Task WatchAsync()
    {
        await _process.WaitForExitAsync(CancellationToken.None);
        _exited.TrySetResult(_process.ExitCode);
    }
}
