using System.Text;
using DaprShop.Sidecar.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Autogen = Dapr.Client.Autogen.Grpc.v1;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// The actor API over gRPC (what the Go, Java and Python SDKs call), with the client Dapr.Protos ships, against an app
/// hosting <see cref="CounterActor"/> on the official .NET SDK: invoke from another app's sidecar, state, reminders
/// and timers on the hosting one.
/// </summary>
public sealed class ActorGrpcApiTests(SqliteActorCluster actors) : IClassFixture<SqliteActorCluster>, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly GrpcChannel _callerChannel = GrpcChannel.ForAddress(actors.Caller.Sidecar.GrpcEndpoint);
    private readonly GrpcChannel _hostChannel = GrpcChannel.ForAddress(actors.Host.Sidecar.GrpcEndpoint);

    private Autogen.Dapr.DaprClient Caller => new(_callerChannel);

    private Autogen.Dapr.DaprClient Host => new(_hostChannel);

    public void Dispose()
    {
        _callerChannel.Dispose();
        _hostChannel.Dispose();
    }

    [Fact]
    public async Task InvokeActor_from_another_apps_sidecar_calls_the_method_and_answers_its_json()
    {
        await InvokeAsync("g-invoke", "SetValueAsync", "\"over grpc\"");

        var answer = await InvokeAsync("g-invoke", "GetValueAsync", string.Empty);

        Assert.Equal("\"over grpc\"", answer);
    }

    [Fact]
    public async Task InvokeActor_of_a_failing_method_answers_the_invoke_error_with_the_apps_status()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => InvokeAsync("g-fail", "FailAsync", "\"boom\""));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("error invoke actor method: error from actor service: (500)", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actor_state_written_in_a_transaction_is_read_back_and_absent_keys_are_empty()
    {
        await InvokeAsync("g-state", "GetValueAsync", string.Empty);
        var transaction = new Autogen.ExecuteActorStateTransactionRequest { ActorType = ActorApps.ActorType, ActorId = "g-state" };
        transaction.Operations.Add(new Autogen.TransactionalActorStateOperation
        {
            OperationType = "upsert",
            Key = "value",
            Value = new Any { Value = ByteString.CopyFromUtf8("\"from a transaction\"") },
        });
        transaction.Operations.Add(new Autogen.TransactionalActorStateOperation { OperationType = "delete", Key = "other" });

        await Host.ExecuteActorStateTransactionAsync(transaction);

        var found = await Host.GetActorStateAsync(new Autogen.GetActorStateRequest { ActorType = ActorApps.ActorType, ActorId = "g-state", Key = "value" });
        Assert.Equal("\"from a transaction\"", found.Data.ToStringUtf8());
        var absent = await Host.GetActorStateAsync(new Autogen.GetActorStateRequest { ActorType = ActorApps.ActorType, ActorId = "g-state", Key = "other" });
        Assert.True(absent.Data.IsEmpty);
    }

    [Fact]
    public async Task A_transaction_with_an_unknown_operation_is_unimplemented_as_in_daprd()
    {
        await InvokeAsync("g-bad-op", "GetValueAsync", string.Empty);
        var transaction = new Autogen.ExecuteActorStateTransactionRequest { ActorType = ActorApps.ActorType, ActorId = "g-bad-op" };
        transaction.Operations.Add(new Autogen.TransactionalActorStateOperation { OperationType = "merge", Key = "value" });

        var e = await Assert.ThrowsAsync<RpcException>(async () => await Host.ExecuteActorStateTransactionAsync(transaction));

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("operation type merge not supported", e.Status.Detail);
    }

    [Fact]
    public async Task A_reminder_registered_over_grpc_fires_with_its_data_and_is_read_back_until_unregistered()
    {
        await Host.RegisterActorReminderAsync(new Autogen.RegisterActorReminderRequest
        {
            ActorType = ActorApps.ActorType,
            ActorId = "g-remind",
            Name = "soon",

            // Durations as the .NET SDK writes them, which its callback parses back (it does not read "0s").
            DueTime = "0h0m0s10ms",
            Data = ByteString.CopyFromUtf8("hello"),
        });
        await Eventually.WaitAsync(() => actors.Probe.Count("reminder:g-remind:soon:hello") > 0, Deadline, "the reminder to fire with its data");

        await Host.RegisterActorReminderAsync(new Autogen.RegisterActorReminderRequest
        {
            ActorType = ActorApps.ActorType,
            ActorId = "g-remind",
            Name = "later",
            DueTime = "1h",
            Period = "2h",
            Ttl = "24h",
            Data = ByteString.CopyFromUtf8("kept"),
        });
        var reminder = await Host.GetActorReminderAsync(new Autogen.GetActorReminderRequest { ActorType = ActorApps.ActorType, ActorId = "g-remind", Name = "later" });

        Assert.Equal(ActorApps.ActorType, reminder.ActorType);
        Assert.Equal("g-remind", reminder.ActorId);
        Assert.Equal("1h", reminder.DueTime);
        Assert.Equal("2h", reminder.Period);

        // The ttl runs from the first due time, as in daprd: expiry about 1 h + 24 h from now, as an RFC 3339 time.
        Assert.InRange(DateTimeOffset.Parse(reminder.Ttl, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow, TimeSpan.FromHours(24.9), TimeSpan.FromHours(25));

        // daprd keeps gRPC data bytes as the JSON string of their base64, packed in a BytesValue.
        Assert.Equal("\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("kept")) + "\"", reminder.Data.Unpack<BytesValue>().Value.ToStringUtf8());

        await Host.UnregisterActorReminderAsync(new Autogen.UnregisterActorReminderRequest { ActorType = ActorApps.ActorType, ActorId = "g-remind", Name = "later" });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await Host.GetActorReminderAsync(new Autogen.GetActorReminderRequest { ActorType = ActorApps.ActorType, ActorId = "g-remind", Name = "later" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("actor reminder not found: later", e.Status.Detail);
    }

    [Fact]
    public async Task A_reminder_without_a_name_is_a_bad_request()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await Host.RegisterActorReminderAsync(new Autogen.RegisterActorReminderRequest { ActorType = ActorApps.ActorType, ActorId = "g-nameless", DueTime = "1s" }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid request: reminder name cannot be empty", e.Status.Detail);
    }

    [Fact]
    public async Task A_timer_registered_over_grpc_calls_its_callback_with_its_data_until_unregistered()
    {
        await InvokeAsync("g-timer", "GetValueAsync", string.Empty);

        await Host.RegisterActorTimerAsync(new Autogen.RegisterActorTimerRequest
        {
            ActorType = ActorApps.ActorType,
            ActorId = "g-timer",
            Name = "tick",
            DueTime = "0h0m0s10ms",
            Period = "0h0m0s50ms",
            Callback = "OnTimerAsync",
            Data = ByteString.CopyFromUtf8("tock"),
        });
        await Eventually.WaitAsync(() => actors.Probe.Count("timer:g-timer:tock") >= 2, Deadline, "the timer to fire twice with its data");

        await Host.UnregisterActorTimerAsync(new Autogen.UnregisterActorTimerRequest { ActorType = ActorApps.ActorType, ActorId = "g-timer", Name = "tick" });
        var stopped = actors.Probe.Count("timer:g-timer:tock");

        // The timer is gone: a call made after it runs in a turn of its own, and then no firing is left to come.
        await InvokeAsync("g-timer", "GetValueAsync", string.Empty);
        Assert.InRange(actors.Probe.Count("timer:g-timer:tock"), stopped, stopped + 1);
    }

    [Fact]
    public async Task A_method_with_dot_segments_cannot_reach_another_actor_and_bad_names_are_refused_as_in_daprd()
    {
        await InvokeAsync("g-rv-b", "SetValueAsync", "\"original\"");

        // daprd cleans the method: what is left stays under actor g-rv-a (where the SDK finds no such method).
        await Assert.ThrowsAsync<RpcException>(() => InvokeAsync("g-rv-a", "../../g-rv-b/method/SetValueAsync", "\"smuggled\""));
        Assert.Equal("\"original\"", await InvokeAsync("g-rv-b", "GetValueAsync", string.Empty));

        var badId = await Assert.ThrowsAsync<RpcException>(() => InvokeAsync("a/b", "GetValueAsync", string.Empty));
        Assert.Equal(StatusCode.InvalidArgument, badId.StatusCode);
        Assert.Equal("invalid actorId: name contains forbidden character: \"a/b\"", badId.Status.Detail);

        var badTimer = await Assert.ThrowsAsync<RpcException>(async () => await Host.RegisterActorTimerAsync(new Autogen.RegisterActorTimerRequest
        {
            ActorType = ActorApps.ActorType,
            ActorId = "g-rv-a",
            Name = "..",
            DueTime = "1h",
            Callback = "OnTimerAsync",
        }));
        Assert.Equal(StatusCode.InvalidArgument, badTimer.StatusCode);
        Assert.Equal("invalid request: name is a path traversal sequence: \"..\"", badTimer.Status.Detail);
    }

    private async Task<string> InvokeAsync(string actorId, string method, string json)
    {
        var answer = await Caller.InvokeActorAsync(new Autogen.InvokeActorRequest
        {
            ActorType = ActorApps.ActorType,
            ActorId = actorId,
            Method = method,
            Data = ByteString.CopyFromUtf8(json),
        });
        return answer.Data.ToStringUtf8();
    }
}
