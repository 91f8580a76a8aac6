using DaprShop.ServiceDefaults.State;
using DaprShop.Sidecar.Tests.Infrastructure;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// The services' state helper (<see cref="DaprAppStateStore"/>) against every store: an insert that finds the key taken
/// reports it (false) however the store refuses it. daprd's PostgreSQL store does not answer an ETag mismatch there but
/// a plain failure ("no item was updated"); taking that for an outage left a retried capture failing forever.
/// </summary>
public sealed class AppStateStoreTests
{
    private sealed record Payment(string Id, decimal Amount);

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task TryInsertAsync_key_taken_False_and_the_first_value_kept(string kind)
    {
        await using var harness = await SidecarHarness.StartAsync("state-app", new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore(kind) });
        var store = new DaprAppStateStore(harness.Client);

        var first = await store.TryInsertAsync("payment-o-1", new Payment("p-1", 10m), CancellationToken.None);
        var second = await store.TryInsertAsync("payment-o-1", new Payment("p-2", 99m), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(new Payment("p-1", 10m), (await store.GetAsync<Payment>("payment-o-1", CancellationToken.None))?.Value);
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.StateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task UpdateAsync_concurrent_first_writers_Every_change_applied_once(string kind)
    {
        await using var harness = await SidecarHarness.StartAsync("state-app", new Dictionary<string, string> { ["statestore.yaml"] = ComponentYaml.StateStore(kind) });
        var store = new DaprAppStateStore(harness.Client);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.UpdateAsync<List<int>>(
            "index",
            current => [.. current ?? [], i],
            CancellationToken.None)));

        Assert.Equal([0, 1, 2, 3, 4, 5], (await store.GetAsync<List<int>>("index", CancellationToken.None))!.Value.Order());
    }
}
