using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// The sidecar's gRPC front end against <c>dapr.proto</c>'s own descriptor (shipped in Dapr.Protos): every method is
/// either bound by a building block, with the descriptor's message types and streaming kind, or listed as deliberately
/// unimplemented, and then answers as daprd's generated server does.
/// </summary>
public sealed class DaprGrpcApiTests
{
    private static Task<SidecarHarness> StartAsync() =>
        SidecarHarness.StartAsync("grpc-app", new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore("sqlite") });

    [Fact]
    public async Task Every_method_of_dapr_proto_is_bound_with_its_types_or_listed_as_unimplemented()
    {
        await using var harness = await StartAsync();
        var bound = harness.Sidecar.Services.GetRequiredService<DaprGrpcMethods>().Bound;
        var declared = DaprGrpcServiceMethodProvider.Descriptor.Methods.ToDictionary(m => m.Name, StringComparer.Ordinal);

        var problems = new List<string>();
        foreach (var (name, method) in declared)
        {
            var isBound = bound.TryGetValue(name, out var binding);
            var isListed = DaprGrpcUnimplemented.Reasons.ContainsKey(name);
            if (isBound == isListed)
            {
                problems.Add(isBound ? $"{name} is bound and listed as unimplemented" : $"{name} is neither bound nor listed as unimplemented");
                continue;
            }

            if (binding is null)
            {
                continue;
            }

            var kind = (method.IsClientStreaming, method.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (false, true) => MethodType.ServerStreaming,
                (true, false) => MethodType.ClientStreaming,
                _ => MethodType.DuplexStreaming,
            };
            if (binding.Type != kind || binding.Request != method.InputType.ClrType || binding.Response != method.OutputType.ClrType)
            {
                problems.Add($"{name} is bound as {binding.Type} {binding.Request.Name} -> {binding.Response.Name}; dapr.proto says {kind} {method.InputType.ClrType.Name} -> {method.OutputType.ClrType.Name}");
            }
        }

        problems.AddRange(bound.Keys.Concat(DaprGrpcUnimplemented.Reasons.Keys).Where(name => !declared.ContainsKey(name)).Select(name => $"{name} is not a method of dapr.proto"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Binding_one_name_twice_is_refused()
    {
        var methods = new DaprGrpcMethods().Unary<Autogen.GetMetadataRequest, Autogen.GetMetadataResponse>("GetMetadata", (_, _) => Task.FromResult(new Autogen.GetMetadataResponse()));

        var e = Assert.Throws<InvalidOperationException>(() =>
            methods.Unary<Autogen.GetMetadataRequest, Autogen.GetMetadataResponse>("GetMetadata", (_, _) => Task.FromResult(new Autogen.GetMetadataResponse())));
        Assert.Contains("GetMetadata", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unimplemented_methods_answer_as_daprd_unary_and_streaming()
    {
        await using var harness = await StartAsync();
        using var channel = GrpcChannel.ForAddress(harness.Sidecar.GrpcEndpoint);
        var client = new Autogen.Dapr.DaprClient(channel);

        var unary = await Assert.ThrowsAsync<RpcException>(async () => await client.TryLockAlpha1Async(new Autogen.TryLockRequest { StoreName = "lock", ResourceId = "r" }));
        Assert.Equal(StatusCode.Unimplemented, unary.StatusCode);
        Assert.Equal("method TryLockAlpha1 not implemented", unary.Status.Detail);

        using var subscription = client.SubscribeConfiguration(new Autogen.SubscribeConfigurationRequest { StoreName = "config" });
        var streaming = await Assert.ThrowsAsync<RpcException>(async () => await subscription.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unimplemented, streaming.StatusCode);
        Assert.Equal("method SubscribeConfiguration not implemented", streaming.Status.Detail);

        // A bound method on the same channel answers.
        var metadata = await client.GetMetadataAsync(new Autogen.GetMetadataRequest());
        Assert.Equal("grpc-app", metadata.Id);
    }
}
