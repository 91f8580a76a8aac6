using System.Collections.Concurrent;
using Grpc.Core;

namespace DaprShop.Examples.GrpcEcho;

/// <summary>The <c>Echo</c> service; <see cref="Started"/> and <see cref="Ended"/> record the <c>Wait</c> calls, by their tags.</summary>
public sealed class EchoService : Echo.EchoBase
{
    /// <summary>The request metadata a reply repeats back.</summary>
    public static readonly string[] EchoedMetadata = ["dapr-app-id", "dapr-caller-app-id", "dapr-callee-app-id", "dapr-api-token", "x-custom", "traceparent"];

    /// <summary>The tags of the <c>Wait</c> calls that reached the service.</summary>
    public static ConcurrentDictionary<string, bool> Started { get; } = new(StringComparer.Ordinal);

    /// <summary>How each <c>Wait</c> call ended ("cancelled"), by its tag.</summary>
    public static ConcurrentDictionary<string, string> Ended { get; } = new(StringComparer.Ordinal);

    public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(Reply(request.Text, context));
    }

    public override async Task Count(CountRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        for (var i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text} {i}" }, context.CancellationToken);
        }
    }

    public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new EchoReply { Text = request.Text }, context.CancellationToken);
        }
    }

    public override async Task<EchoReply> Wait(WaitRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        Started[request.Tag] = true;
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Ended[request.Tag] = "cancelled";
            throw;
        }

        return new EchoReply();
    }

    /// <summary>How many times <c>Flaky</c> was called, by tag.</summary>
    public static ConcurrentDictionary<string, int> FlakyCalls { get; } = new(StringComparer.Ordinal);

    public override Task<EchoReply> Flaky(FlakyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var calls = FlakyCalls.AddOrUpdate(request.Tag, 1, (_, n) => n + 1);
        return calls <= request.Failures
            ? throw new RpcException(new Status(StatusCode.Unavailable, $"failing call {calls} of {request.Failures}"))
            : Task.FromResult(new EchoReply { Text = $"answered on call {calls}" });
    }

    private static EchoReply Reply(string text, ServerCallContext context)
    {
        var reply = new EchoReply { Text = text };
        foreach (var name in EchoedMetadata)
        {
            if (context.RequestHeaders.GetValue(name) is { } value)
            {
                reply.Metadata[name] = value;
            }
        }

        return reply;
    }
}
