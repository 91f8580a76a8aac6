using DaprShop.Run.Cli;
using DaprShop.Run.Dashboard;
using DaprShop.Run.Supervision;
using DaprShop.Testing;

namespace DaprShop.Run.Tests;

public sealed class ReadyLineTests
{
    [Fact]
    public void The_ready_line_names_the_profile_when_the_run_uses_one()
    {
        Assert.Equal("DaprShop is ready (profile redis): http://127.0.0.1:8080", ShopRunner.ReadyLine(ResourcesProfile.Redis, "http://127.0.0.1:8080"));
        Assert.Equal("DaprShop is ready: http://127.0.0.1:8080", ShopRunner.ReadyLine(null, "http://127.0.0.1:8080"));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    [InlineData("postgres")]
    [InlineData(null)]
    public void The_end_to_end_fixture_and_the_bench_read_the_url_from_every_form_of_it(string? profile)
    {
        var line = ShopRunner.ReadyLine(profile is null ? null : ResourcesProfile.Find(profile), "http://127.0.0.1:40123");

        Assert.Equal(new Uri("http://127.0.0.1:40123"), RunnerReadyLine.TryRead(line));
    }

    [Fact]
    public void With_the_dashboard_The_line_ends_with_its_url_and_the_shop_s_url_is_still_read()
    {
        var line = ShopRunner.ReadyLine(ResourcesProfile.Embedded, "http://127.0.0.1:8080", new Uri("http://127.0.0.1:18888/"));

        Assert.Equal("DaprShop is ready (profile embedded): http://127.0.0.1:8080 (dashboard: http://127.0.0.1:18888)", line);
        Assert.Equal(new Uri("http://127.0.0.1:8080"), RunnerReadyLine.TryRead(line));
        Assert.Equal(new Uri("http://127.0.0.1:18888"), RunnerReadyLine.TryReadDashboard(line));
        Assert.Null(RunnerReadyLine.TryReadDashboard(ShopRunner.ReadyLine(null, "http://127.0.0.1:8080")));
    }

    [Fact]
    public void Dashboard_ports_The_defaults_where_free_others_where_taken()
    {
        Assert.Equal(DashboardEndpoints.Default, DashboardEndpoints.Choose(_ => true, () => 1));

        var moved = DashboardEndpoints.Choose(port => port != 4317, () => 40999);

        Assert.Equal(new DashboardEndpoints(18888, 40999, 4318), moved);
        Assert.True(moved.Moved);
        Assert.Equal(new Uri("http://127.0.0.1:40999"), moved.OtlpGrpc);
    }

    [Fact]
    public void Dashboard_ports_None_taken_twice_when_the_os_offers_the_same_one_again()
    {
        var offers = new Queue<int>([40999, 40999, 41000]);

        var moved = DashboardEndpoints.Choose(port => port == 18888, offers.Dequeue);

        Assert.Equal(new DashboardEndpoints(18888, 40999, 41000), moved);
    }

    [Theory]
    [InlineData("[run] Waiting for order-service (sidecar) (5s)")]
    [InlineData("[run] Profile embedded (the default; choose another with --profile or --resources-path): components/common + components/embedded")]
    [InlineData("DaprShop is ready")]
    public void Other_lines_are_not_the_ready_line(string line) =>
        Assert.Null(RunnerReadyLine.TryRead(line));
}
