using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// The actor API over gRPC, as daprd 1.18 serves it (<c>pkg/api/grpc/grpc.go</c> for invoke and state,
/// <c>pkg/api/universal/actors.go</c> for reminders and timers), on the same actor runtime as <see cref="ActorsHttpApi"/>:
/// <list type="bullet">
/// <item><c>InvokeActor</c>: the call is placed on the hosting instance and made to its app as over HTTP; the app's
/// 200 body is the answer (an SDK's actor error travels in it), a 404 is "actor method not found", any other status
/// an <c>ERR_ACTOR_INVOKE_METHOD</c> error carrying the app's status and body.</item>
/// <item><c>GetActorState</c> (empty data when absent) and <c>ExecuteActorStateTransaction</c> (upsert takes the
/// value's bytes, as daprd does; other operations are Unimplemented).</item>
/// <item>Reminders and timers: a request's <c>data</c> bytes are kept as daprd keeps them, a JSON string of their
/// base64 (daprd marshals the byte slice to JSON), so the app's callback gets that string; <c>GetActorReminder</c>
/// answers the reminder's due time, period, expiry (<c>ttl</c>, RFC 3339) and its data as a packed <c>BytesValue</c>
/// holding the data's JSON.</item>
/// </list>
/// </summary>
public static class ActorsGrpcApi
{
    public static DaprGrpcMethods MapActorsGrpcApi(this DaprGrpcMethods methods, ActorRuntime actors)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods
            .Unary<InvokeActorRequest, InvokeActorResponse>(nameof(InvokeActor), (request, context) => InvokeActor(actors, request, context))
            .Unary<GetActorStateRequest, GetActorStateResponse>(nameof(GetActorState), (request, context) => GetActorState(actors, request, context))
            .Unary<ExecuteActorStateTransactionRequest, Empty>(nameof(ExecuteActorStateTransaction), (request, context) => ExecuteActorStateTransaction(actors, request, context))
            .Unary<RegisterActorReminderRequest, Empty>(nameof(RegisterActorReminder), (request, context) => RegisterActorReminder(actors, request, context))
            .Unary<GetActorReminderRequest, GetActorReminderResponse>(nameof(GetActorReminder), (request, context) => GetActorReminder(actors, request, context))
            .Unary<UnregisterActorReminderRequest, Empty>(nameof(UnregisterActorReminder), (request, context) => UnregisterActorReminder(actors, request, context))
            .Unary<RegisterActorTimerRequest, Empty>(nameof(RegisterActorTimer), (request, context) => RegisterActorTimer(actors, request, context))
            .Unary<UnregisterActorTimerRequest, Empty>(nameof(UnregisterActorTimer), (request, context) => UnregisterActorTimer(actors, request, context));
    }

    public static async Task<InvokeActorResponse> InvokeActor(ActorRuntime actors, InvokeActorRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        // daprd's checks: names that cannot leave their place in the path to the app, and a cleaned method.
        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)[("actorType", request.ActorType), ("actorId", request.ActorId)])
        {
            if (MethodNames.ValidateName(value) is { } invalid)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid {name}: {invalid}"));
            }
        }

        var method = MethodNames.NormalizeMethod(request.Method, out var problem)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"invalid actor method: {problem}"));
        await actors.WhenRegisteredAsync(context.CancellationToken);
        var trace = TraceContext.Parse(context.RequestHeaders.GetValue(TraceContext.TraceParentHeader), context.RequestHeaders.GetValue(TraceContext.TraceStateHeader));

        // The caller's identity is the sidecar's to state: a caller's own claim to it is dropped, as daprd drops it.
        var headers = request.Metadata
            .Where(m => !m.Key.Equals(TraceContext.TraceParentHeader, StringComparison.OrdinalIgnoreCase)
                && !m.Key.Equals(TraceContext.TraceStateHeader, StringComparison.OrdinalIgnoreCase)
                && !m.Key.StartsWith("dapr-caller-", StringComparison.OrdinalIgnoreCase))
            .Concat(ActorTrace.Headers(trace))
            .ToList();
        var call = new ActorAppRequest(method, request.Data.Memory, null, string.Empty, headers);
        var answer = await actors.Placement.InvokeOnOwnerAsync(request.ActorType, request.ActorId, call, actors.Time, context.CancellationToken);
        return answer.StatusCode switch
        {
            200 => new InvokeActorResponse { Data = ByteString.CopyFrom(answer.Body) },
            404 => throw ActorErrors.Invoke($"actor method not found: {request.Method}"),
            _ => throw ActorErrors.Invoke($"error from actor service: ({answer.StatusCode}) {System.Text.Encoding.UTF8.GetString(answer.Body)}"),
        };
    }

    public static async Task<GetActorStateResponse> GetActorState(ActorRuntime actors, GetActorStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        var entry = await actors.GetStateAsync(request.ActorType, request.ActorId, request.Key, context.CancellationToken);
        var response = new GetActorStateResponse();
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Value.Span);
            response.Metadata.Add(StateService.ResponseMetadata(entry));
        }

        return response;
    }

    public static async Task<Empty> ExecuteActorStateTransaction(ActorRuntime actors, ExecuteActorStateTransactionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        actors.RequireStateStore();
        var operations = request.Operations.Select(operation => operation.OperationType switch
        {
            // daprd passes only the key, the value's bytes and the metadata on: no ETag over gRPC.
            "upsert" => new ActorStateOperation(operation.Key, operation.Value?.Value.ToByteArray() ?? [], null, operation.Metadata),
            "delete" => new ActorStateOperation(operation.Key, null, null, operation.Metadata),
            _ => throw StateErrors.OperationNotSupported(operation.OperationType),
        }).ToList();
        await actors.ExecuteStateTransactionAsync(request.ActorType, request.ActorId, operations, context.CancellationToken);
        return new Empty();
    }

    public static async Task<Empty> RegisterActorReminder(ActorRuntime actors, RegisterActorReminderRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        if (request.Name.Length == 0)
        {
            throw ActorErrors.BadRequest("reminder name cannot be empty");
        }

        RequireValidName(request.Name);

        var reminder = new ReminderRequest(NullIfEmpty(request.DueTime), NullIfEmpty(request.Period), NullIfEmpty(request.Ttl), DataOf(request.Data), request.HasOverwrite ? request.Overwrite : null);
        await actors.RemindersFor(request.ActorType, request.ActorId).CreateAsync(request.ActorType, request.ActorId, request.Name, reminder, context.CancellationToken);
        return new Empty();
    }

    public static async Task<GetActorReminderResponse> GetActorReminder(ActorRuntime actors, GetActorReminderRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        var reminder = await actors.RemindersFor(request.ActorType, request.ActorId).GetAsync(request.ActorType, request.ActorId, request.Name, context.CancellationToken)
            ?? throw ActorErrors.ReminderNotFound(request.Name);
        var response = new GetActorReminderResponse { ActorType = reminder.ActorType, ActorId = reminder.ActorId };
        if (reminder.DueTime.Length > 0)
        {
            response.DueTime = reminder.DueTime;
        }

        if (reminder.Period.Length > 0)
        {
            response.Period = reminder.Period;
        }

        if (reminder.Expiration is { } expiration)
        {
            response.Ttl = ActorTimeFormats.FormatRfc3339Nano(expiration);
        }

        if (reminder.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data)
        {
            response.Data = Any.Pack(new BytesValue { Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(data)) });
        }

        return response;
    }

    public static async Task<Empty> UnregisterActorReminder(ActorRuntime actors, UnregisterActorReminderRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        await actors.RemindersFor(request.ActorType, request.ActorId).DeleteAsync(request.ActorType, request.ActorId, request.Name, context.CancellationToken);
        return new Empty();
    }

    public static async Task<Empty> RegisterActorTimer(ActorRuntime actors, RegisterActorTimerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireValidName(request.Name);

        await actors.WhenRegisteredAsync(context.CancellationToken);
        actors.CreateTimer(request.ActorType, request.ActorId, request.Name, new TimerRequest(NullIfEmpty(request.DueTime), NullIfEmpty(request.Period), NullIfEmpty(request.Ttl), NullIfEmpty(request.Callback), DataOf(request.Data)));
        return new Empty();
    }

    public static async Task<Empty> UnregisterActorTimer(ActorRuntime actors, UnregisterActorTimerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(actors);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await actors.WhenRegisteredAsync(context.CancellationToken);
        actors.DeleteTimer(request.ActorType, request.ActorId, request.Name);
        return new Empty();
    }

    /// <summary>A reminder's or timer's name as daprd accepts it (it becomes a segment of the callback's path).</summary>
    private static void RequireValidName(string name)
    {
        if (MethodNames.ValidateName(name) is { } invalid)
        {
            throw ActorErrors.BadRequest(invalid);
        }
    }

    /// <summary>proto3 strings are never null: an empty one is a field the caller did not set.</summary>
    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>A reminder's or timer's data as daprd keeps bytes sent over gRPC: the JSON string of their base64; none when empty.</summary>
    private static JsonElement? DataOf(ByteString data) =>
        data.IsEmpty ? null : JsonSerializer.SerializeToElement(data.ToBase64());
}
