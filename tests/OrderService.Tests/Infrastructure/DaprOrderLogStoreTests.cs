using System.Text.Json;
using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Contracts.Orders;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Infrastructure;
using OrderService.IntegrationEvents;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Infrastructure;

public sealed class DaprOrderLogStoreTests : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly FakeDaprGrpc sidecar = new();
    private readonly Dapr.Client.DaprClient dapr;

    public DaprOrderLogStoreTests() => dapr = sidecar.Client();

    private DaprOrderLogStore Store => new(dapr, NullLogger<DaprOrderLogStore>.Instance);

    private static OrderLog Log() => TestOrders.Log("o-1", TestOrders.PlacedEvent());

    private static OrderIntegrationEvent EventFor(OrderLog log) => OrderIntegrationEventFactory.For(log.Fold()!, log.Recorded().Last());

    private static GetStateResponse Stored(OrderLog? log, string etag) =>
        log is null ? new GetStateResponse() : new GetStateResponse { Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(log, Web)), Etag = etag };

    public void Dispose()
    {
        dapr.Dispose();
        sidecar.Dispose();
    }

    [Fact]
    public async Task TrySaveAsync_new_order_One_transaction_insert_only_log_plus_outbox_projection_of_the_event()
    {
        sidecar.Answer = (_, _) => new Empty();
        var log = Log();

        Assert.True(await Store.TrySaveAsync(log, etag: null, EventFor(log), CancellationToken.None));

        var transaction = Assert.Single(sidecar.Requests("ExecuteStateTransaction", ExecuteStateTransactionRequest.Parser));
        Assert.Equal("statestore", transaction.StoreName);
        Assert.Equal(2, transaction.Operations.Count);

        var save = transaction.Operations[0];
        Assert.Equal("upsert", save.OperationType);
        Assert.Equal("order-o-1", save.Request.Key);
        Assert.True(save.Request.Etag is null || save.Request.Etag.Value.Length == 0);
        Assert.Equal(StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, save.Request.Options.Concurrency);
        Assert.DoesNotContain("outbox.projection", save.Request.Metadata.Keys);
        var savedLog = JsonSerializer.Deserialize<OrderLog>(save.Request.Value.Span, Web)!;
        Assert.Equal(1, savedLog.Version);
        Assert.Equal("OrderPlaced", savedLog.Events[0].Type);

        var projection = transaction.Operations[1];
        Assert.Equal("upsert", projection.OperationType);
        Assert.Equal("order-o-1", projection.Request.Key);
        Assert.Equal("true", projection.Request.Metadata["outbox.projection"]);
        Assert.Equal("application/json", projection.Request.Metadata["contentType"]);
        var published = OrderEventTypes.Deserialize(JsonDocument.Parse(projection.Request.Value.Memory).RootElement, Web);
        Assert.IsType<OrderSubmittedIntegrationEvent>(published);
        Assert.Equal("o-1", published.OrderId);
        Assert.Equal(OrderIntegrationEventFactory.EventId("o-1", 1), published.EventId);
    }

    [Fact]
    public async Task TrySaveAsync_existing_order_Log_written_with_the_etag_read()
    {
        sidecar.Answer = (_, _) => new Empty();
        var log = Log().Append([new PaymentDeferred("down")], TestOrders.Start).Log;

        await Store.TrySaveAsync(log, "7", EventFor(log), CancellationToken.None);

        var save = Assert.Single(sidecar.Requests("ExecuteStateTransaction", ExecuteStateTransactionRequest.Parser)).Operations[0];
        Assert.Equal("7", save.Request.Etag.Value);
        Assert.Equal(StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, save.Request.Options.Concurrency);
    }

    [Fact]
    public async Task TrySaveAsync_failed_because_another_writer_changed_the_log_False()
    {
        var log = Log().Append([new PaymentDeferred("down")], TestOrders.Start).Log;
        sidecar.Answer = (method, _) => method == "GetState"
            ? Stored(Log().Append([new OrderCancelled("x")], TestOrders.Start).Log, "8")
            : throw new RpcException(new Status(StatusCode.Internal, "error while executing state transaction: possible etag mismatch"));

        Assert.False(await Store.TrySaveAsync(log, "7", EventFor(log), CancellationToken.None));
    }

    [Fact]
    public async Task TrySaveAsync_failed_and_the_log_is_unchanged_Throws()
    {
        var log = Log().Append([new PaymentDeferred("down")], TestOrders.Start).Log;
        sidecar.Answer = (method, _) => method == "GetState"
            ? Stored(Log(), "7")
            : throw new RpcException(new Status(StatusCode.Internal, "error while executing state transaction: database is locked"));

        await Assert.ThrowsAnyAsync<DaprException>(() => Store.TrySaveAsync(log, "7", EventFor(log), CancellationToken.None));
    }

    [Fact]
    public async Task TrySaveAsync_reported_failure_but_the_change_is_stored_True()
    {
        var log = Log().Append([new PaymentDeferred("down")], TestOrders.Start).Log;
        sidecar.Answer = (method, _) => method == "GetState"
            ? Stored(log, "8")
            : throw new RpcException(new Status(StatusCode.Unavailable, "connection reset"));

        Assert.True(await Store.TrySaveAsync(log, "7", EventFor(log), CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_stored_log_Log_and_etag_from_its_key()
    {
        sidecar.Answer = (_, _) => Stored(Log(), "3");

        var stored = await Store.ReadAsync("o-1", CancellationToken.None);

        Assert.Equal("3", stored?.ETag);
        Assert.Equal(1, stored?.Log.Version);
        Assert.Equal("order-o-1", Assert.Single(sidecar.Requests("GetState", GetStateRequest.Parser)).Key);
    }

    [Fact]
    public async Task ReadAsync_missing_Null()
    {
        sidecar.Answer = (_, _) => new GetStateResponse();

        Assert.Null(await Store.ReadAsync("o-1", CancellationToken.None));
    }
}
