using DaprShop.Run.Cli;

namespace DaprShop.Run.Tests;

public sealed class RunnerArgumentsTests
{
    private const string WorkingDirectory = "/home/dev/shop";

    [Fact]
    public void No_arguments_mean_the_default_run_file_with_the_embedded_profile_and_a_build()
    {
        var arguments = RunnerArguments.Parse([], WorkingDirectory);

        Assert.Null(arguments.RunFile);
        Assert.Empty(arguments.ResourcesPaths);
        Assert.False(arguments.NoBuild);
        Assert.False(arguments.Help);
        Assert.Equal(["components/common", "components/embedded"], RunnerArguments.EmbeddedProfile);
    }

    [Fact]
    public void Restart_on_exit_is_repeatable_and_empty_by_default()
    {
        var arguments = RunnerArguments.Parse(["--restart-on-exit", "payment-service", "--restart-on-exit=order-service"], WorkingDirectory);

        Assert.Equal(["order-service", "payment-service"], arguments.RestartOnExit.Order(StringComparer.Ordinal));
        Assert.Empty(RunnerArguments.Parse([], WorkingDirectory).RestartOnExit);
    }

    [Fact]
    public void Run_file_and_repeated_resources_paths_resolve_against_the_working_directory()
    {
        var arguments = RunnerArguments.Parse(
            ["-f", "other/dapr.yaml", "--resources-path", "components/common", "--resources-path=/srv/redis", "--no-build"],
            WorkingDirectory);

        Assert.Equal("/home/dev/shop/other/dapr.yaml", arguments.RunFile);
        Assert.Equal(["/home/dev/shop/components/common", "/srv/redis"], arguments.ResourcesPaths);
        Assert.True(arguments.NoBuild);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_is_recognised(string flag) =>
        Assert.True(RunnerArguments.Parse([flag], WorkingDirectory).Help);

    [Theory]
    [InlineData(new[] { "--verbose" }, "unknown option '--verbose'")]
    [InlineData(new[] { "-f" }, "option '-f' needs a value")]
    [InlineData(new[] { "--resources-path" }, "option '--resources-path' needs a value")]
    public void Bad_arguments_fail_with_one_line(string[] args, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RunnerArguments.Parse(args, WorkingDirectory));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
