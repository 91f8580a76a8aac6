using DaprShop.Run.Building;

namespace DaprShop.Run.Tests;

public sealed class DotnetRunCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Other_commands_are_not_dotnet_run() =>
        Assert.Null(DotnetRunCommand.TryParse(["python3", "app.py"], _temp.Path));

    [Fact]
    public void Reads_project_configuration_and_app_arguments()
    {
        var project = _temp.File("Orders/Orders.csproj", "<Project />");

        var command = DotnetRunCommand.TryParse(["dotnet", "run", "--no-build", "-c", "Release", "--", "--seed", "7"], Path.GetDirectoryName(project)!);

        Assert.NotNull(command);
        Assert.Equal(project, command.ProjectPath);
        Assert.Equal("Release", command.Configuration);
        Assert.Equal(["--seed", "7"], command.AppArguments);
        Assert.True(command.NoBuild);
        Assert.True(command.CanStartAssembly);
    }

    [Fact]
    public void A_launch_profile_or_an_unknown_option_leaves_the_command_to_dotnet_run()
    {
        var project = _temp.File("Orders/Orders.csproj", "<Project />");
        var folder = Path.GetDirectoryName(project)!;
        _temp.File("Orders/Properties/launchSettings.json", "{}");

        Assert.False(DotnetRunCommand.TryParse(["dotnet", "run"], folder)!.CanStartAssembly);
        Assert.True(DotnetRunCommand.TryParse(["dotnet", "run", "--no-launch-profile"], folder)!.CanStartAssembly);
        Assert.False(DotnetRunCommand.TryParse(["dotnet", "run", "--no-launch-profile", "-r", "linux-x64"], folder)!.CanStartAssembly);
    }

    [Fact]
    public void Finds_the_built_entry_assembly_of_the_configuration()
    {
        var project = _temp.File("Orders/Orders.csproj", "<Project />");
        var dll = _temp.File("Orders/bin/Release/net10.0/Orders.dll");
        _temp.File("Orders/bin/Release/net10.0/Orders.runtimeconfig.json", "{}");
        _temp.File("Orders/bin/Debug/net10.0/Orders.dll");

        var release = DotnetRunCommand.TryParse(["dotnet", "run", "-c", "Release"], Path.GetDirectoryName(project)!)!;
        var debug = DotnetRunCommand.TryParse(["dotnet", "run"], Path.GetDirectoryName(project)!)!;

        Assert.Equal(dll, release.FindEntryAssembly());
        Assert.Null(debug.FindEntryAssembly());
    }

    [Fact]
    public void A_folder_with_no_single_project_has_no_project()
    {
        _temp.File("Two/A.csproj", "<Project />");
        _temp.File("Two/B.csproj", "<Project />");

        Assert.Null(DotnetRunCommand.TryParse(["dotnet", "run"], Path.Combine(_temp.Path, "Two"))!.ProjectPath);
    }

    [Fact]
    public void WithNoBuild_adds_the_flag_once_before_the_app_arguments()
    {
        Assert.Equal(["dotnet", "run", "--no-build", "-c", "Release"], DotnetRunCommand.WithNoBuild(["dotnet", "run", "-c", "Release"]));
        Assert.Equal(["dotnet", "run", "--no-build"], DotnetRunCommand.WithNoBuild(["dotnet", "run", "--no-build"]));
        Assert.Equal(["dotnet", "run", "--no-build", "--", "--no-build"], DotnetRunCommand.WithNoBuild(["dotnet", "run", "--", "--no-build"]));
    }
}
