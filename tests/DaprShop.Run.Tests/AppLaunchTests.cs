using DaprShop.Run.Apps;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Tests;

public sealed class AppLaunchTests
{
    [Fact]
    public void Sets_the_variables_the_Dapr_CLI_sets_then_the_run_file_env_then_the_app_token_and_the_runner_s_pid()
    {
        var app = new RunFileApp
        {
            AppId = "order-service",
            AppDirPath = "/srv/shop/services/OrderService",
            Command = ["python3", "app.py"],
            AppPort = 8081,
            Env = new Dictionary<string, string> { ["APP_PORT"] = "9999", ["ASPNETCORE_ENVIRONMENT"] = "Staging" },
        };

        var launch = AppLaunch.Create(app, daprHttpPort: 3501, daprGrpcPort: 50002, appApiToken: "t0ken", daprApiToken: "d4pr");

        Assert.Equal("python3", launch.FileName);
        Assert.Equal(["app.py"], launch.Arguments);
        Assert.Equal("/srv/shop/services/OrderService", launch.WorkingDirectory);
        Assert.Equal("order-service", launch.Environment["APP_ID"]);
        Assert.Equal("http", launch.Environment["APP_PROTOCOL"]);
        Assert.Equal("3501", launch.Environment["DAPR_HTTP_PORT"]);
        Assert.Equal("50002", launch.Environment["DAPR_GRPC_PORT"]);
        Assert.Equal("9999", launch.Environment["APP_PORT"]);
        Assert.Equal("Staging", launch.Environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("t0ken", launch.Environment["APP_API_TOKEN"]);
        Assert.Equal("d4pr", launch.Environment["DAPR_API_TOKEN"]);
        Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), launch.Environment["DAPRSHOP_PARENT_PID"]);
        Assert.False(launch.Environment.ContainsKey("DAPR_METRICS_PORT"));
    }

    [Fact]
    public void A_dotnet_run_command_that_cannot_be_started_directly_runs_as_written_with_no_build()
    {
        var app = new RunFileApp { AppId = "x", AppDirPath = Path.GetTempPath(), Command = ["dotnet", "run", "--project", "Missing.csproj"] };

        var launch = AppLaunch.Create(app, 1, 2, "t");

        Assert.Equal("dotnet", launch.FileName);
        Assert.Equal(["run", "--no-build", "--project", "Missing.csproj"], launch.Arguments);
    }

    [Fact]
    public void Api_tokens_are_fresh_and_long()
    {
        var first = AppLaunch.NewApiToken();

        Assert.Equal(64, first.Length);
        Assert.NotEqual(first, AppLaunch.NewApiToken());
    }
}
