using Microsoft.Extensions.Logging;

namespace DaprShop.Run.Logging;

/// <summary>
/// Writes the log entries of one app's in-process sidecar as single lines behind
/// <c>[app-id:daprd]</c>, like daprd's own output next to its app under the Dapr CLI.
/// </summary>
public sealed class SidecarLoggerProvider(string appId, PrefixedConsole console) : ILoggerProvider
{
    /// <summary>
    /// One logger factory per sidecar: information and above from the sidecar itself, warnings and
    /// above from the ASP.NET Core host it runs on and from YARP's forwarder (both would otherwise log
    /// every request: two lines per service invocation), and only errors from Kestrel, whose start-up
    /// warnings about its loopback endpoints a user cannot act on.
    /// </summary>
    public static ILoggerFactory CreateFactory(string appId, PrefixedConsole console) =>
        LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Warning)
            .AddProvider(new SidecarLoggerProvider(appId, console)));

    public ILogger CreateLogger(string categoryName) => new SidecarLogger(appId, console);

    public void Dispose()
    {
    }

    private sealed class SidecarLogger(string appId, PrefixedConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }

            console.Sidecar(appId, $"{Level(logLevel)}: {OneLine(message)}");
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };

        private static string OneLine(string text) =>
            text.Contains('\n', StringComparison.Ordinal) ? text.ReplaceLineEndings(" ") : text;
    }
}
