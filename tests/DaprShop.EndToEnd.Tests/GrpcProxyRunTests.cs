using DaprShop.Examples.GrpcEcho;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaprShop.EndToEnd.Tests;

/// <summary>
/// The example app served over gRPC, run by the runner from its own run file (<c>examples/GrpcEcho/dapr.yaml</c>, on
/// free ports here), and reached as the README says: a gRPC client calls the sidecar's gRPC port with metadata
/// <c>dapr-app-id: grpc-echo</c> (and the sidecar's API token), unary and streaming.
/// </summary>
public sealed class GrpcProxyRunTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("daprshop-grpc-echo-").FullName;
    private RunnerProcess? _runner;
    private int _sidecarGrpcPort;

    public async Task InitializeAsync()
    {
        var ports = FreePort.Distinct(3);
        _sidecarGrpcPort = ports[2];
        var example = await File.ReadAllTextAsync(RepositoryFolder.Combine("examples", "GrpcEcho", "dapr.yaml"));
        foreach (var expected in (string[])["appDirPath: ./", "- ./components", "appPort: 5050", "daprHTTPPort: 3550", "daprGRPCPort: 50050"])
        {
            Assert.Contains(expected, example, StringComparison.Ordinal);
        }

        var runFile = example
            .Replace("appDirPath: ./", $"appDirPath: {RepositoryFolder.Combine("examples", "GrpcEcho")}/", StringComparison.Ordinal)
            .Replace("- ./components", $"- {RepositoryFolder.Combine("examples", "GrpcEcho", "components")}", StringComparison.Ordinal)
            .Replace("appPort: 5050", $"appPort: {ports[0]}", StringComparison.Ordinal)
            .Replace("daprHTTPPort: 3550", $"daprHTTPPort: {ports[1]}", StringComparison.Ordinal)
            .Replace("daprGRPCPort: 50050", $"daprGRPCPort: {ports[2]}", StringComparison.Ordinal);
        var path = Path.Combine(_folder, "dapr.yaml");
        await File.WriteAllTextAsync(path, runFile);

        _runner = RunnerProcess.Start([RunnerProcess.Dll(RunnerProcess.BuildConfiguration), "-f", path, "--no-build", "--no-dashboard"], _folder);
        await _runner.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_grpc_client_reaches_the_app_through_its_sidecar_unary_and_streaming()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_sidecarGrpcPort}");
        var client = new Echo.EchoClient(channel);

        // The runner gives each sidecar an API token of its own, written next to the run file.
        var token = (await File.ReadAllTextAsync(Path.Combine(_folder, ".dapr", "tokens", "grpc-echo"))).Trim();
        var metadata = new Metadata { { "dapr-app-id", "grpc-echo" }, { "dapr-api-token", token } };

        var reply = await client.SayAsync(new EchoRequest { Text = "through the runner" }, metadata);
        Assert.Equal("through the runner", reply.Text);

        using var count = client.Count(new CountRequest { Text = "n", Count = 3 }, metadata);
        Assert.Equal(["n 1", "n 2", "n 3"], await count.ResponseStream.ReadAllAsync().Select(r => r.Text).ToListAsync());
    }
}
