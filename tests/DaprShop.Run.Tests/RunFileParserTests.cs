using DaprShop.Run.RunFiles;
using DaprShop.Testing;

namespace DaprShop.Run.Tests;

public sealed class RunFileParserTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Paths_resolve_like_the_Dapr_CLI_common_and_appDirPath_against_the_run_file_app_paths_against_appDirPath()
    {
        _temp.Folder("components/common");
        _temp.File("components/config.yaml");
        var appDir = _temp.Folder("services/Orders");
        _temp.Folder("services/Orders/own");
        _temp.File("services/Orders/own-config.yaml");
        _temp.Folder("services/Payments");

        var runFile = Parse("""
            version: 1
            common:
              resourcesPaths: [./components/common]
              configFilePath: ./components/config.yaml
            apps:
              - appID: orders
                appDirPath: ./services/Orders/
                resourcesPaths: [./own]
                configFilePath: own-config.yaml
              - appID: payments
                appDirPath: services/Payments
            """);

        var orders = runFile.Apps[0];
        Assert.Equal(appDir, orders.AppDirPath);
        Assert.Equal([Path.Combine(appDir, "own")], orders.ResourcesPaths);
        Assert.Equal(Path.Combine(appDir, "own-config.yaml"), orders.ConfigFilePath);
        var payments = runFile.Apps[1];
        Assert.Equal([Path.Combine(_temp.Path, "components", "common")], payments.ResourcesPaths);
        Assert.Equal(Path.Combine(_temp.Path, "components", "config.yaml"), payments.ConfigFilePath);
    }

    [Fact]
    public void App_values_win_over_common_and_env_is_merged()
    {
        _temp.Folder("app");
        var runFile = Parse("""
            version: 1
            common:
              appHealthCheckPath: /ready
              env:
                SHARED: common
                OVERRIDDEN: common
            apps:
              - appDirPath: ./app
                appHealthCheckPath: /alive
                env:
                  OVERRIDDEN: app
                  FLAG: true
            """);

        var app = Assert.Single(runFile.Apps);
        Assert.Equal("/alive", app.AppHealthCheckPath);
        Assert.Equal("common", app.Env["SHARED"]);
        Assert.Equal("app", app.Env["OVERRIDDEN"]);
        Assert.Equal("true", app.Env["FLAG"]);
    }

    [Fact]
    public void An_app_without_resources_uses_its_own_dot_dapr_resources_before_common()
    {
        _temp.Folder("common");
        var local = _temp.Folder("app/.dapr/resources");
        var runFile = Parse("""
            version: 1
            common:
              resourcesPaths: [./common]
            apps:
              - appDirPath: ./app
            """);

        Assert.Equal([local], Assert.Single(runFile.Apps).ResourcesPaths);
    }

    [Fact]
    public void Defaults_app_id_from_the_folder_protocol_http_health_path_healthz_and_no_ports()
    {
        _temp.Folder("services/checkout");
        var app = Assert.Single(Parse("""
            version: 1
            apps:
              - appDirPath: ./services/checkout/
                command: ["dotnet", "run"]
            """).Apps);

        Assert.Equal("checkout", app.AppId);
        Assert.Equal("http", app.AppProtocol);
        Assert.Equal("/healthz", app.AppHealthCheckPath);
        Assert.Null(app.AppPort);
        Assert.Null(app.DaprHttpPort);
        Assert.Equal(["dotnet", "run"], app.Command);
    }

    [Fact]
    public void App_health_checks_are_off_unless_enabled_and_take_daprd_defaults_and_units()
    {
        _temp.Folder("a");
        _temp.Folder("b");
        _temp.Folder("c");
        _temp.Folder("d");
        var runFile = Parse("""
            version: 1
            common:
              appHealthThreshold: 4
            apps:
              - appDirPath: ./a
              - appDirPath: ./b
                enableAppHealthCheck: true
              - appDirPath: ./c
                enableAppHealthCheck: true
                appHealthCheckPath: alive
                appHealthProbeInterval: 2
                appHealthProbeTimeout: 250
              - appDirPath: ./d
                enableAppHealthCheck: true
                appHealthProbeInterval: -1
                appHealthThreshold: -2
            """);

        Assert.Null(runFile.Apps[0].AppHealthCheck);
        Assert.Equal(new Sidecar.AppChannel.AppHealthCheckOptions { Threshold = 4 }, runFile.Apps[1].AppHealthCheck);
        Assert.Equal(
            new Sidecar.AppChannel.AppHealthCheckOptions { Path = "/alive", ProbeInterval = TimeSpan.FromSeconds(2), ProbeTimeout = TimeSpan.FromMilliseconds(250), Threshold = 4 },
            runFile.Apps[2].AppHealthCheck);

        // daprd takes values that are not positive as its defaults.
        Assert.Equal(new Sidecar.AppChannel.AppHealthCheckOptions(), runFile.Apps[3].AppHealthCheck);
        Assert.Empty(runFile.IgnoredFields);
    }

    [Fact]
    public void A_zero_value_in_an_app_takes_commons_as_the_CLI_merges_them()
    {
        _temp.Folder("app");
        var app = Assert.Single(Parse("""
            version: 1
            common:
              enableAppHealthCheck: true
              appHealthProbeInterval: 7
            apps:
              - appDirPath: ./app
                enableAppHealthCheck: false
                appHealthProbeInterval: 0
            """).Apps);

        Assert.Equal(TimeSpan.FromSeconds(7), app.AppHealthCheck?.ProbeInterval);
    }

    [Fact]
    public void App_health_probe_timeout_longer_than_the_interval_is_refused_as_daprd_refuses_it()
    {
        _temp.Folder("app");
        var error = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            apps:
              - appDirPath: ./app
                enableAppHealthCheck: true
                appHealthProbeInterval: 1
                appHealthProbeTimeout: 1500
            """));

        Assert.Contains("apps[0].appHealthProbeTimeout: value for 'health-probe-timeout' must be smaller than 'health-probe-interval'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_the_CLI_knows_but_the_runner_does_not_apply_are_reported_as_ignored()
    {
        _temp.Folder("app");
        var runFile = Parse("""
            version: 1
            common:
              logLevel: debug
            apps:
              - appDirPath: ./app
                containerImage: example/app:1
            """);

        Assert.Equal(["common.logLevel", "apps[0].containerImage"], runFile.IgnoredFields);
    }

    [Fact]
    public void Unknown_field_names_file_line_and_field_and_suggests_the_right_case()
    {
        _temp.Folder("app");
        var error = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            apps:
              - appDirPath: ./app
                appId: orders
            """));

        Assert.Contains("dapr.yaml:4:5: apps[0].appId: unknown field 'appId'; did you mean 'appID'?", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_misspelt_field_gets_a_suggestion()
    {
        _temp.Folder("app");
        var error = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            apps:
              - appDirPath: ./app
                comand: ["dotnet", "run"]
            """));

        Assert.Contains("apps[0].comand: unknown field 'comand' in apps[0]; did you mean 'command'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_per_app_field_in_common_is_refused()
    {
        _temp.Folder("app");
        var error = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            common:
              appPort: 8080
            apps:
              - appDirPath: ./app
            """));

        Assert.Contains("common.appPort: 'appPort' is a per-app field", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apps:\n  - appDirPath: ./app\n", "version: required field is missing")]
    [InlineData("version: 2\napps:\n  - appDirPath: ./app\n", "version: 2 is not supported")]
    [InlineData("version: 1\n", "apps: no apps to run")]
    [InlineData("version: 1\napps:\n  - appID: x\n", "apps[0].appDirPath: required field is missing")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./nowhere\n", "apps[0].appDirPath: folder './nowhere'")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./app\n    command: dotnet run\n", "apps[0].command: must be a list")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./app\n    appPort: eighty\n", "apps[0].appPort: 'eighty' is not a whole number")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./app\n    appPort: 70000\n", "apps[0].appPort: 70000 is not a TCP port")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./app\n    resourcesPaths: [./missing]\n", "apps[0].resourcesPaths[0]: folder './missing'")]
    [InlineData("version: 1\napps:\n  - appDirPath: ./app\n    appProtocol: carrier-pigeon\n", "apps[0].appProtocol: 'carrier-pigeon' is not one of")]
    [InlineData("version: 1\napps: [\n", "not valid YAML")]
    public void Bad_run_files_fail_with_one_line_naming_the_field(string yaml, string expected)
    {
        _temp.Folder("app");
        var error = Assert.Throws<RunFileException>(() => Parse(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(_temp.Path, "dapr.yaml"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Two_apps_with_one_id_or_one_port_are_refused()
    {
        _temp.Folder("a");
        _temp.Folder("b");
        var sameId = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            apps:
              - { appID: shop, appDirPath: ./a }
              - { appID: shop, appDirPath: ./b }
            """));
        var samePort = Assert.Throws<RunFileException>(() => Parse("""
            version: 1
            apps:
              - { appDirPath: ./a, appPort: 8080 }
              - { appDirPath: ./b, daprHTTPPort: 8080 }
            """));

        Assert.Contains("apps[1].appID: 'shop' is also the id of apps[0]", sameId.Message, StringComparison.Ordinal);
        Assert.Contains("apps[1].daprHTTPPort: port 8080 is also a.appPort", samePort.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_of_a_folder_reads_its_dapr_yaml()
    {
        _temp.Folder("app");
        _temp.File("dapr.yaml", "version: 1\napps:\n  - appDirPath: ./app\n");

        var runFile = RunFileParser.Load(_temp.Path);

        Assert.Equal(Path.Combine(_temp.Path, "dapr.yaml"), runFile.FilePath);
        Assert.Equal(_temp.Path, runFile.Directory);
    }

    [Fact]
    public void The_repository_run_file_has_the_four_services_on_their_fixed_ports()
    {
        var root = RepositoryFolder.Path;

        var runFile = RunFileParser.Load(Path.Combine(root, "dapr.yaml"));

        Assert.Empty(runFile.IgnoredFields);
        Assert.Equal(
            [("auth-gateway", 8080, 3500, 50001), ("order-service", 8081, 3501, 50002), ("payment-service", 8082, 3502, 50003), ("notification-service", 8083, 3503, 50004)],
            runFile.Apps.Select(a => (a.AppId, a.AppPort ?? 0, a.DaprHttpPort ?? 0, a.DaprGrpcPort ?? 0)));
        Assert.All(runFile.Apps, app =>
        {
            Assert.Equal(["dotnet", "run", "--no-build"], app.Command);
            Assert.Equal([Path.Combine(root, "components", "common"), Path.Combine(root, "components", "redis")], app.ResourcesPaths);
            Assert.Equal(Path.Combine(root, "components", "config.yaml"), app.ConfigFilePath);
            Assert.True(File.Exists(Path.Combine(app.AppDirPath, Path.GetFileName(app.AppDirPath) + ".csproj")), app.AppDirPath);
        });
        Assert.Equal("true", runFile.Apps.Single(a => a.AppId == "payment-service").Env["Payment__FaultInjection__Enabled"]);
        Assert.Equal("admin@daprshop.local", runFile.Apps.Single(a => a.AppId == "auth-gateway").Env["Auth__AdminEmail"]);
    }

    private RunFile Parse(string yaml) => RunFileParser.Parse(yaml, Path.Combine(_temp.Path, "dapr.yaml"));

}
