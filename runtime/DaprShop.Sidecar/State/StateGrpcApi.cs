using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.State;

/// <summary>
/// The state API over gRPC: <c>GetState</c>, <c>GetBulkState</c>, <c>SaveState</c>,
/// <c>DeleteState</c>, <c>DeleteBulkState</c>, <c>ExecuteStateTransaction</c>, answering as daprd's
/// <c>pkg/api/grpc/grpc.go</c> does. Values are stored as the bytes sent, which is JSON when the
/// SDK writes them.
/// </summary>
public static class StateGrpcApi
{
    public static DaprGrpcMethods MapStateGrpcApi(this DaprGrpcMethods methods, StateService state)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods
            .Unary<GetStateRequest, GetStateResponse>(nameof(GetState), (request, context) => GetState(state, request, context))
            .Unary<GetBulkStateRequest, GetBulkStateResponse>(nameof(GetBulkState), (request, context) => GetBulkState(state, request, context))
            .Unary<SaveStateRequest, Empty>(nameof(SaveState), (request, context) => SaveState(state, request, context))
            .Unary<DeleteStateRequest, Empty>(nameof(DeleteState), (request, context) => DeleteState(state, request, context))
            .Unary<DeleteBulkStateRequest, Empty>(nameof(DeleteBulkState), (request, context) => DeleteBulkState(state, request, context))
            .Unary<ExecuteStateTransactionRequest, Empty>(nameof(ExecuteStateTransaction), (request, context) => ExecuteStateTransaction(state, request, context));
    }

    public static async Task<GetStateResponse> GetState(StateService state, GetStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var entry = await state.GetAsync(request.StoreName, request.Key, context.CancellationToken);
        var response = new GetStateResponse();
        if (entry is not null)
        {
            response.Data = ByteString.CopyFrom(entry.Value.Span);
            response.Etag = entry.ETag;
            response.Metadata.Add(StateService.ResponseMetadata(entry));
        }

        return response;
    }

    public static async Task<GetBulkStateResponse> GetBulkState(StateService state, GetBulkStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var entries = await state.BulkGetAsync(request.StoreName, [.. request.Keys], context.CancellationToken);
        var response = new GetBulkStateResponse();
        foreach (var entry in entries)
        {
            var item = new BulkStateItem { Key = entry.Key, Error = entry.Error ?? string.Empty };
            if (entry.Entry is { } found)
            {
                item.Data = ByteString.CopyFrom(found.Value.Span);
                item.Etag = found.ETag;
                item.Metadata.Add(StateService.ResponseMetadata(found));
            }

            response.Items.Add(item);
        }

        return response;
    }

    public static async Task<Empty> SaveState(StateService state, SaveStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        state.GetStore(request.StoreName);
        var writes = new List<StateWrite>(request.States.Count);
        foreach (var item in request.States)
        {
            if (item.Key.Length == 0)
            {
                throw new DaprApiException("ERR_STATE_SAVE", "state key cannot be empty", StatusCodes.Status400BadRequest, StatusCode.InvalidArgument);
            }

            writes.Add(new StateWrite(
                new StateUpsert(item.Key, item.Value.Memory, item.Etag?.Value, ConcurrencyOf(item.Options))
                {
                    IsJson = item.Metadata.TryGetValue("contentType", out var contentType) && contentType == "application/json",
                },
                item.Metadata));
        }

        await state.SaveAsync(request.StoreName, writes, context.CancellationToken);
        return new Empty();
    }

    public static async Task<Empty> DeleteState(StateService state, DeleteStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var write = new StateWrite(new StateDelete(request.Key, request.Etag?.Value, ConcurrencyOf(request.Options)), request.Metadata);
        await state.DeleteAsync(request.StoreName, write, context.CancellationToken);
        return new Empty();
    }

    public static async Task<Empty> DeleteBulkState(StateService state, DeleteBulkStateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var writes = request.States
            .Select(item => new StateWrite(new StateDelete(item.Key, item.Etag?.Value, ConcurrencyOf(item.Options)), item.Metadata))
            .ToList();
        await state.DeleteBulkAsync(request.StoreName, writes, context.CancellationToken);
        return new Empty();
    }

    public static async Task<Empty> ExecuteStateTransaction(StateService state, ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        state.GetStore(request.StoreName);
        var writes = new List<StateWrite>(request.Operations.Count);
        foreach (var operation in request.Operations)
        {
            var item = operation.Request ?? new StateItem();
            StateOperation op = operation.OperationType switch
            {
                "upsert" => new StateUpsert(item.Key, item.Value.Memory, item.Etag?.Value, ConcurrencyOf(item.Options)),
                "delete" => new StateDelete(item.Key, item.Etag?.Value, ConcurrencyOf(item.Options)),
                _ => throw StateErrors.OperationNotSupported(operation.OperationType),
            };
            writes.Add(new StateWrite(op, item.Metadata));
        }

        await state.ExecuteTransactionAsync(request.StoreName, writes, request.Metadata, context.CancellationToken);
        return new Empty();
    }

    private static StateConcurrency ConcurrencyOf(StateOptions? options) =>
        options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite ? StateConcurrency.FirstWrite : StateConcurrency.LastWrite;
}
