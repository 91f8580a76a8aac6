using DaprShop.ServiceDefaults.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DaprShop.ServiceDefaults.Tests.Hosting;

public sealed class ParentProcessWatchExtensionsTests
{
    [Fact]
    public void With_the_runner_s_pid_set_the_watch_is_a_hosted_service()
    {
        using var host = Build(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Single(host.Services.GetServices<IHostedService>().OfType<ParentProcessWatch>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_it_nothing_is_watched(string? pid)
    {
        using var host = Build(pid);

        Assert.Empty(host.Services.GetServices<IHostedService>().OfType<ParentProcessWatch>());
    }

    [Theory]
    [InlineData("runner")]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_value_that_is_no_pid_is_refused_with_one_line(string pid)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(pid));

        Assert.Equal($"DAPRSHOP_PARENT_PID must be a process id, but it is '{pid}'.", error.Message);
    }

    private static IHost Build(string? pid)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new(ParentProcessWatch.ParentPidVariable, pid)]);
        builder.AddParentProcessWatch();
        return builder.Build();
    }
}
