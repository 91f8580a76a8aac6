namespace DaprShop.Sidecar.State;

/// <summary>
/// Work that commits with a state transaction, registered in the sidecar's DI container: the hook a
/// transactional outbox plugs into. <see cref="BeforeCommitAsync"/> may return the transaction with
/// extra operations (for example an outbox row per message to publish), which the store then
/// applies atomically with the caller's; <see cref="AfterCommitAsync"/> runs once that commit
/// succeeded (for example to hand the rows to a relay that publishes and deletes them).
/// daprd's outbox works the same way: it adds its own operations to the transaction before
/// <c>Multi</c> (dapr/dapr <c>pkg/api/grpc/grpc.go</c>, <c>ExecuteStateTransaction</c>).
/// </summary>
public interface IStateTransactionInterceptor
{
    ValueTask<StateTransaction> BeforeCommitAsync(string storeName, StateTransaction transaction, CancellationToken cancellationToken);

    ValueTask AfterCommitAsync(string storeName, StateTransaction committed, CancellationToken cancellationToken);

    /// <summary>
    /// Runs when the store reported the transaction failed. On a store without rollback (<c>state.redis</c>) some of
    /// its operations may have been applied all the same, so work tied to them must look at what is stored.
    /// </summary>
    ValueTask AfterFailureAsync(string storeName, StateTransaction attempted, CancellationToken cancellationToken);
}
