namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// The committed development signing key is for a developer's machine only: a gateway started as Production with it
/// (the repository's secrets file as it is) refuses to start, saying why and what to set, and the run stops.
/// </summary>
public sealed class DevelopmentKeyTests
{
    [Fact]
    public async Task Gateway_in_production_with_the_committed_development_key_Refuses_to_start_and_the_run_fails()
    {
        var work = Directory.CreateTempSubdirectory("daprshop-devkey-").FullName;
        try
        {
            await PrivateShop.CopyComponentsAsync(RepositoryFolder.Path, work);
            var gateway = new RunFileApp(
                "auth-gateway",
                "AuthGateway",
                FreePort.Next(),
                FreePort.Next(),
                FreePort.Next(),
                new Dictionary<string, string>(StringComparer.Ordinal) { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
            var runFile = Path.Combine(work, "dapr.yaml");
            await File.WriteAllTextAsync(runFile, PrivateShop.RunFile(RepositoryFolder.Path, RunnerProcess.BuildConfiguration, [gateway]));

            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            await using var runner = RunnerProcess.Start([RunnerProcess.Dll(RunnerProcess.BuildConfiguration), "-f", runFile, "--no-build"], work, output.Enqueue);
            var exitCode = await runner.WaitForExitAsync(TimeSpan.FromMinutes(2));

            var printed = string.Join('\n', output);
            Assert.True(exitCode == 1, $"exit code {exitCode}\n{printed}");
            Assert.Contains("Refusing to start in environment Production: the JWT signing key (secret jwt-signing-key of component secretstore) is the committed development key", printed, StringComparison.Ordinal);
            Assert.DoesNotContain(RunnerReadyLine.Start, printed, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
