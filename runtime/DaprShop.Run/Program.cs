using DaprShop.Run.Cli;
using DaprShop.Run.Logging;
using DaprShop.Run.Supervision;
using DaprShop.Run.Telemetry;

var console = PrefixedConsole.ForStandardOutput();
RunnerArguments arguments;
try
{
    arguments = RunnerArguments.Parse(args, Environment.CurrentDirectory);
}
catch (ArgumentException e)
{
    console.Error(e.Message);
    return ExitCodes.Usage;
}

if (arguments.Help)
{
    Console.WriteLine(RunnerArguments.Usage);
    return ExitCodes.Stopped;
}

using var telemetry = SidecarTelemetry.StartIfConfigured();
using var stop = new StopSignal();
return await new ShopRunner(console).RunAsync(arguments, Environment.CurrentDirectory, stop);
