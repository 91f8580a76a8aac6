using System.Net;
using System.Net.Sockets;
using DaprShop.Run.Cli;
using DaprShop.Run.Logging;
using DaprShop.Run.Supervision;

namespace DaprShop.Run.Tests;

/// <summary>Whole runs of the runner on a run file of its own, whose apps (<c>true</c>) exit at once, so each run ends by itself.</summary>
public sealed class ShopRunnerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly StringWriter _output = new();

    public ShopRunnerTests()
    {
        _temp.Folder("components/common");
        _temp.File("components/embedded/pubsub.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: pubsub
            spec:
              type: pubsub.in-memory
              version: v1
            """);
    }

    public void Dispose()
    {
        _output.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task An_in_memory_pub_sub_is_noted_once_for_the_run_not_once_per_app()
    {
        RunFile("""
              - appID: first
                appDirPath: .
                command: ["true"]
              - appID: second
                appDirPath: .
                command: ["true"]
            """);

        Assert.Equal(ExitCodes.Failed, await RunAsync());

        var note = ShopRunner.InMemoryPubSubNote("pubsub");
        Assert.Equal(
            "note: pubsub 'pubsub' is pubsub.in-memory: messages not yet delivered are lost if the runner dies; use --profile redis for durable messaging",
            note);
        Assert.Single(Lines(), line => line == $"[run] {note}");
    }

    [Fact]
    public async Task A_held_port_is_named_with_the_process_that_holds_it()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            RunFile($"""
                  - appID: held
                    appDirPath: .
                    appPort: {port}
                    command: ["true"]
                """);

            Assert.Equal(ExitCodes.Failed, await RunAsync());

            var by = OperatingSystem.IsLinux() ? $" by pid {Environment.ProcessId} (" : ": ";
            Assert.Contains(Lines(), line => line.StartsWith($"[run] error: port {port} (held's app port) is already in use on 127.0.0.1{by}", StringComparison.Ordinal)
                && line.EndsWith(": stop what listens there or change the port in dapr.yaml", StringComparison.Ordinal));
            Assert.DoesNotContain(Lines(), line => line.StartsWith("[run] note:", StringComparison.Ordinal));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Each_app_gets_a_Dapr_API_token_of_its_own_written_for_its_owner_only_and_deleted_at_the_end()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Each app copies what it was given, and the file the runner wrote for it. The run stops when an app exits, so
        // the first waits (up to 10 s) until the second has copied its own.
        const string Copy = "printf %s $DAPR_API_TOKEN > env-$APP_ID; cat .dapr/tokens/$APP_ID > file-$APP_ID; stat -c %a .dapr/tokens/$APP_ID > mode-$APP_ID";
        const string AwaitSecond = "i=0; while [ ! -s mode-second ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done";
        RunFile($"""
              - appID: first
                appDirPath: .
                command: ["sh", "-c", "{Copy}; {AwaitSecond}"]
              - appID: second
                appDirPath: .
                command: ["sh", "-c", "{Copy}"]
            """);

        await RunAsync();

        Assert.True(File.Exists(Path.Combine(_temp.Path, "env-first")), _output.ToString());
        var first = await File.ReadAllTextAsync(Path.Combine(_temp.Path, "env-first"));
        var second = await File.ReadAllTextAsync(Path.Combine(_temp.Path, "env-second"));
        Assert.Equal(64, first.Length);
        Assert.NotEqual(first, second);
        Assert.Equal(first, await File.ReadAllTextAsync(Path.Combine(_temp.Path, "file-first")));
        Assert.Equal("600", (await File.ReadAllTextAsync(Path.Combine(_temp.Path, "mode-first"))).Trim());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".dapr", "tokens")));
    }

    private void RunFile(string apps) => _temp.File("dapr.yaml", "version: 1\napps:\n" + apps);

    private async Task<int> RunAsync()
    {
        using var stop = new StopSignal();
        var arguments = RunnerArguments.Parse(["-f", _temp.Path, "--profile", "embedded", "--no-build", "--no-dashboard"], _temp.Path);
        return await new ShopRunner(new PrefixedConsole(_output, useColour: false)).RunAsync(arguments, _temp.Path, stop);
    }

    private string[] Lines() => _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
