using System.CommandLine;
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
        Assert.Null(arguments.Profile);
        Assert.Same(ResourcesProfile.Embedded, arguments.ChosenProfile);
        Assert.Equal(["components/common", "components/embedded"], ResourcesProfile.Embedded.Folders);
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    [InlineData("postgres")]
    public void Each_profile_resolves_to_components_common_and_its_own_folder_next_to_the_run_file(string name)
    {
        var arguments = RunnerArguments.Parse(["--profile", name], WorkingDirectory);

        Assert.Equal(name, arguments.ChosenProfile?.Name);
        Assert.Equal(
            ["/srv/shop/components/common", $"/srv/shop/components/{name}"],
            arguments.ChosenProfile?.ResourcesPaths("/srv/shop"));
    }

    [Fact]
    public void A_profile_given_with_a_run_file_is_the_one_chosen()
    {
        var arguments = RunnerArguments.Parse(["-f", "other", "--profile=redis"], WorkingDirectory);

        Assert.Equal("/home/dev/shop/other", arguments.RunFile);
        Assert.Same(ResourcesProfile.Redis, arguments.ChosenProfile);
    }

    [Theory]
    [InlineData("-f", "dapr.yaml")]
    [InlineData("--resources-path", "components/common")]
    public void A_run_file_or_resources_paths_alone_choose_no_profile(string option, string value) =>
        Assert.Null(RunnerArguments.Parse([option, value], WorkingDirectory).ChosenProfile);

    [Fact]
    public void Restart_on_exit_is_repeatable_and_empty_by_default()
    {
        var arguments = RunnerArguments.Parse(["--restart-on-exit", "payment-service", "--restart-on-exit=order-service"], WorkingDirectory);

        Assert.Equal(["order-service", "payment-service"], arguments.RestartOnExit.Order(StringComparer.Ordinal));
        Assert.Empty(RunnerArguments.Parse([], WorkingDirectory).RestartOnExit);
    }

    [Fact]
    public void Replicas_are_counted_per_app_and_one_by_default()
    {
        var arguments = RunnerArguments.Parse(["--replicas", "order-service=2", "--replicas=payment-service=3"], WorkingDirectory);

        Assert.Equal(2, arguments.ReplicasOf("order-service"));
        Assert.Equal(3, arguments.ReplicasOf("payment-service"));
        Assert.Equal(1, arguments.ReplicasOf("auth-gateway"));
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

    [Fact]
    public void Every_option_has_its_long_and_inline_forms()
    {
        var arguments = RunnerArguments.Parse(
            ["--run-file=/srv/shop", "--no-build", "--restart-on-exit", "auth-gateway", "--profile", "postgres"],
            WorkingDirectory);

        Assert.Equal("/srv/shop", arguments.RunFile);
        Assert.True(arguments.NoBuild);
        Assert.Equal(["auth-gateway"], arguments.RestartOnExit);
        Assert.Same(ResourcesProfile.Postgres, arguments.Profile);
    }

    [Fact]
    public void Dashboard_on_off_or_left_to_the_runner()
    {
        Assert.True(RunnerArguments.Parse(["--dashboard"], WorkingDirectory).Dashboard);
        Assert.False(RunnerArguments.Parse(["--no-dashboard"], WorkingDirectory).Dashboard);
        Assert.Null(RunnerArguments.Parse([], WorkingDirectory).Dashboard);
    }

    [Theory]
    [InlineData(new[] { "--verbose" }, "'--verbose'")]
    [InlineData(new[] { "--dashboard", "--no-dashboard" }, "--dashboard and --no-dashboard do not go together")]
    [InlineData(new[] { "-f" }, "'-f'")]
    [InlineData(new[] { "-f", " " }, "option '-f' needs a value")]
    [InlineData(new[] { "--resources-path" }, "'--resources-path'")]
    [InlineData(new[] { "--resources-path", "a", "b" }, "'b'")]
    [InlineData(new[] { "--restart-on-exit" }, "'--restart-on-exit'")]
    [InlineData(new[] { "--no-build=yes" }, "'yes'")]
    [InlineData(new[] { "--replicas", "order-service" }, "--replicas: 'order-service' is not APPID=N with N from 1 to 8")]
    [InlineData(new[] { "--replicas", "order-service=0" }, "is not APPID=N")]
    [InlineData(new[] { "--replicas", "order-service=9" }, "is not APPID=N")]
    [InlineData(new[] { "--replicas", "=2" }, "is not APPID=N")]
    [InlineData(new[] { "--replicas", "a=2", "--replicas", "a=3" }, "--replicas: a is named twice")]
    [InlineData(new[] { "--profile" }, "'--profile'")]
    [InlineData(new[] { "--profile", "redis", "--resources-path", "components/redis" }, "--profile and --resources-path do not go together")]
    [InlineData(new[] { "--profile", "bogus" }, "no profile 'bogus'; the profiles are embedded, redis, postgres")]
    [InlineData(new[] { "--profile", "Redis" }, "no profile 'Redis'")]
    public void Bad_arguments_fail_with_one_line(string[] args, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RunnerArguments.Parse(args, WorkingDirectory));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.EndsWith("(see --help)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Help_describes_the_runner_every_option_and_the_exit_codes_and_runs_nothing(string flag)
    {
        var (code, output, ran) = await InvokeAsync(flag, "--no-such-option");

        Assert.Equal(0, code);
        Assert.False(ran);
        foreach (var expected in new[]
        {
            "Multi-App Run file", "-f, --run-file <FILE|DIR>", "--profile <embedded|redis|postgres>", "--resources-path <DIR>",
            "--no-build", "--restart-on-exit <APPID>", "-h, --help", "Exit codes: 0 after Ctrl+C or SIGTERM",
        })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Shell_completion_by_the_suggest_directive_offers_the_profiles()
    {
        var (code, output, ran) = await InvokeAsync("[suggest:10]", "--profile ");

        Assert.Equal(0, code);
        Assert.False(ran);
        Assert.Equal(["embedded", "postgres", "redis"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_good_command_line_runs_with_the_parsed_arguments_and_returns_the_run_s_exit_code()
    {
        RunnerArguments? received = null;
        var parsed = RunnerArguments.Command(WorkingDirectory, arguments =>
        {
            received = arguments;
            return Task.FromResult(1);
        }).Parse(["--profile", "redis", "--no-build"]);

        Assert.Null(RunnerArguments.UsageError(parsed));
        Assert.Equal(1, await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }));
        Assert.Same(ResourcesProfile.Redis, received?.Profile);
        Assert.True(received?.NoBuild);
    }

    private static async Task<(int Code, string Output, bool Ran)> InvokeAsync(params string[] args)
    {
        var ran = false;
        var parsed = RunnerArguments.Command(WorkingDirectory, _ =>
        {
            ran = true;
            return Task.FromResult(0);
        }).Parse(args);
        Assert.Null(RunnerArguments.UsageError(parsed));
        using var output = new StringWriter();
        var code = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, ProcessTerminationTimeout = null });
        return (code, output.ToString(), ran);
    }
}
