using System.CommandLine;
using DaprShop.Run.Cli;
using DaprShop.Run.Logging;
using DaprShop.Run.Supervision;

var console = PrefixedConsole.ForStandardOutput();
var parsed = RunnerArguments.Command(Environment.CurrentDirectory, RunAsync).Parse(args);
if (RunnerArguments.UsageError(parsed) is { } error)
{
    console.Error(error);
    return ExitCodes.Usage;
}

// StopSignal handles Ctrl+C and SIGTERM itself (stop the apps, then exit 0), so System.CommandLine must not.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

async Task<int> RunAsync(RunnerArguments arguments)
{
    using var stop = new StopSignal();
    return await new ShopRunner(console).RunAsync(arguments, Environment.CurrentDirectory, stop);
}
