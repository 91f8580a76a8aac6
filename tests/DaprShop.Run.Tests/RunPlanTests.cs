using DaprShop.Run.Cli;
using DaprShop.Run.RunFiles;
using DaprShop.Run.Supervision;

namespace DaprShop.Run.Tests;

public sealed class RunPlanTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public RunPlanTests()
    {
        foreach (var folder in new[] { "components/common", "components/embedded", "components/redis", "components/own", "services/Orders" })
        {
            _temp.Folder(folder);
        }

        _temp.File("dapr.yaml", """
            version: 1
            common:
              resourcesPaths: [./components/common, ./components/own]
            apps:
              - appID: orders
                appDirPath: ./services/Orders
            """);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_options_every_app_loads_the_embedded_profile_and_the_runner_says_it_is_the_default()
    {
        var plan = Plan([]);

        Assert.Same(ResourcesProfile.Embedded, plan.Profile);
        Assert.Equal([In("components/common"), In("components/embedded")], Assert.Single(plan.Apps).ResourcesPaths);
        Assert.StartsWith("Profile embedded (the default;", plan.ResourcesDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profile_replaces_the_run_file_s_resources_paths_with_its_folders_next_to_the_run_file()
    {
        var plan = Plan(["-f", _temp.Path, "--profile", "redis"]);

        Assert.Same(ResourcesProfile.Redis, plan.Profile);
        Assert.Equal([In("components/common"), In("components/redis")], Assert.Single(plan.Apps).ResourcesPaths);
        Assert.Equal("Profile redis (--profile): components/common + components/redis instead of dapr.yaml's resourcesPaths", plan.ResourcesDescription);
    }

    [Fact]
    public void A_run_file_alone_keeps_its_own_resources_paths_and_no_profile()
    {
        var plan = Plan(["-f", _temp.Path]);

        Assert.Null(plan.Profile);
        Assert.Equal([In("components/common"), In("components/own")], Assert.Single(plan.Apps).ResourcesPaths);
    }

    [Fact]
    public void A_profile_whose_folder_is_missing_is_refused_with_one_line()
    {
        var error = Assert.Throws<RunFileException>(() => Plan(["-f", _temp.Path, "--profile", "postgres"]));

        Assert.Equal($"profile postgres: folder {In("components/postgres")} does not exist", error.Message);
    }

    [Fact]
    public void Replicas_of_an_app_without_a_port_or_of_an_unknown_app_are_refused_with_one_line()
    {
        var unknown = Assert.Throws<RunFileException>(() => Plan(["--replicas", "payments=2"]));
        var portless = Assert.Throws<RunFileException>(() => Plan(["--replicas", "orders=2"]));

        Assert.Equal($"--replicas: no app 'payments' in {In("dapr.yaml")} (apps: orders)", unknown.Message);
        Assert.StartsWith("--replicas: orders has no appPort", portless.Message, StringComparison.Ordinal);
        Assert.Equal("orders", Assert.Single(Plan(["--replicas", "orders=1"]).Apps).InstanceName(1));
    }

    private RunPlan Plan(string[] args) => RunPlan.Create(RunnerArguments.Parse(args, _temp.Path), _temp.Path);

    private string In(string relative) => Path.Combine(_temp.Path, relative);
}
