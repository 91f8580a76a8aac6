using System.Diagnostics;
using System.Globalization;

namespace DaprShop.Testing;

/// <summary>
/// The runner (runtime/DaprShop.Run) as a child process, for the end-to-end tests and the bench: its output is read
/// line by line (its last lines kept for error messages, every line shown to whoever asks) until the ready line
/// (<see cref="RunnerReadyLine"/>), and the pid of each app it says it started (<see cref="RunnerStartedLine"/>);
/// stopping sends SIGTERM, on which the runner stops its apps and sidecars, as on Ctrl+C.
/// </summary>
public sealed class RunnerProcess : IAsyncDisposable
{
    private const int KeptLines = 80;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly Dictionary<string, int> _appPids = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<RunnerReady> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startedAt;
    private readonly Action<string>? _onLine;

    private RunnerProcess(Process process, long startedAt, Action<string>? onLine)
    {
        _process = process;
        _startedAt = startedAt;
        _onLine = onLine;
    }

    /// <summary>
    /// The build configuration (Debug or Release) the running assembly was built in, read from its folder
    /// (bin/&lt;configuration&gt;/...): the runner and the services were built the same way.
    /// </summary>
    public static string BuildConfiguration
    {
        get
        {
            var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var bin = Array.LastIndexOf(parts, "bin");
            return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
        }
    }

    /// <summary>The runner's entry assembly built in <paramref name="configuration"/>, in the repository these binaries came from.</summary>
    public static string Dll(string configuration) =>
        RepositoryFolder.Combine("runtime", "DaprShop.Run", "bin", configuration, "net10.0", "DaprShop.Run.dll");

    /// <summary>The runner's process id (its apps are its child processes).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The runner's last lines of output.</summary>
    public string Tail
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet</c> with <paramref name="arguments"/> (the runner's <see cref="Dll"/> first) in
    /// <paramref name="workingDirectory"/>, without colour; <paramref name="onLine"/> sees every line it prints.
    /// </summary>
    public static RunnerProcess Start(IEnumerable<string> arguments, string workingDirectory, Action<string>? onLine = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var runner = new RunnerProcess(process, startedAt, onLine);
        process.OutputDataReceived += (_, e) => runner.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => runner.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>The ready line's URL and when it came; throws with the runner's last lines when the runner exits or times out first.</summary>
    public async Task<RunnerReady> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (first == _ready.Task)
        {
            return await _ready.Task;
        }

        var why = first == exited
            ? $"the runner exited with code {_process.ExitCode}"
            : $"no ready line within {timeout.TotalSeconds:0} s";
        throw new InvalidOperationException($"The shop did not start: {why}. The runner's last lines:\n{Tail}");
    }

    /// <summary>Waits for the runner to exit on its own and returns its exit code; kills it and throws when <paramref name="timeout"/> passes first.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"The runner did not exit within {timeout.TotalSeconds:0} s. Its last lines:\n{Tail}");
        }
    }

    /// <summary>
    /// Kills one app's process outright (SIGKILL), the one the runner last said it started for <paramref name="appId"/>;
    /// its sidecar lives on in the runner, which starts the app again if it was told to (<c>--restart-on-exit</c>).
    /// </summary>
    public async Task KillAppAsync(string appId, CancellationToken cancellationToken = default)
    {
        int pid;
        lock (_appPids)
        {
            pid = _appPids.TryGetValue(appId, out var known) ? known : throw new InvalidOperationException($"the runner never said it started {appId}");
        }

        Process app;
        try
        {
            app = Process.GetProcessById(pid);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{appId} (pid {pid}, as the runner last started it) is not running", e);
        }

        using (app)
        {
            app.Kill();
            await app.WaitForExitAsync(cancellationToken);
        }
    }

    /// <summary>Kills the runner and every process it started at once (SIGKILL): nothing stops cleanly. Returns once the runner is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>SIGTERM, then the runner's own clean stop; killed with its process tree when that takes too long.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _onLine?.Invoke(line);
        if (RunnerStartedLine.TryRead(line) is { } started)
        {
            lock (_appPids)
            {
                _appPids[started.AppId] = started.Pid;
            }
        }

        if (RunnerReadyLine.TryRead(line) is { } url)
        {
            _ready.TrySetResult(new RunnerReady(url, Stopwatch.GetElapsedTime(_startedAt)));
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }
}

/// <summary>The runner's ready line: the URL it printed, and how long after the process start it came.</summary>
public sealed record RunnerReady(Uri Gateway, TimeSpan After);
