using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprShop.ServiceDefaults.Hosting;

internal static class ParentProcessWatchExtensions
{
    /// <summary>
    /// When <c>DAPRSHOP_PARENT_PID</c> is set (the local runner sets it to its own pid), registers
    /// <see cref="ParentProcessWatch"/>, which stops the app once that process is gone. Unset (an app
    /// under the real Dapr CLI, or a test host), nothing is registered.
    /// </summary>
    public static void AddParentProcessWatch(this IHostApplicationBuilder builder)
    {
        var value = builder.Configuration[ParentProcessWatch.ParentPidVariable];
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid < 1)
        {
            throw new InvalidOperationException($"{ParentProcessWatch.ParentPidVariable} must be a process id, but it is '{value}'.");
        }

        builder.Services.AddHostedService(services => new ParentProcessWatch(
            pid,
            ProcessProbe.Instance,
            services.GetRequiredService<IHostApplicationLifetime>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<ParentProcessWatch>>(),
            Environment.Exit));
    }
}
