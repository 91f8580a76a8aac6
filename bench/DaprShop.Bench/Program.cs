using System.Runtime.InteropServices;
using DaprShop.Bench;
using DaprShop.Bench.Cli;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

// Ctrl+C or SIGTERM: stop the load, reset payment's fault mode, stop the shop, write no report.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    stop.Cancel();
});

try
{
    return await new BenchRunner(options, Console.Error).RunAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Stopped before the end: no report written.");
    return 130;
}
catch (InvalidOperationException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}
