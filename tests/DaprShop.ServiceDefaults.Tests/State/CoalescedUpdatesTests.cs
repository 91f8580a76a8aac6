using Dapr;
using DaprShop.ServiceDefaults.State;
using OrderService.Tests.Fakes;

namespace DaprShop.ServiceDefaults.Tests.State;

public sealed class CoalescedUpdatesTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly HeldWritesStore store = new(new InMemoryAppStateStore());

    [Fact]
    public async Task Updates_queued_behind_a_write_in_flight_Written_together_in_one_write()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        var first = await HeldWriteOfZeroAsync(updates);
        var queued = Enumerable.Range(1, 3).Select(i => updates.UpdateAsync("index", Adding(i), CancellationToken.None)).ToList();
        store.Release();
        var results = await Task.WhenAll([first, .. queued]).WaitAsync(Deadline);

        Assert.Equal([0, 1, 2, 3], store.Inner.Peek<List<int>>("index"));
        Assert.All(results, result => Assert.True(result.Changed));
        Assert.Equal([0, 1, 2, 3], results[^1].Value);
        Assert.Equal(2, store.Inner.Writes); // the first alone, then the three queued behind it
    }

    [Fact]
    public async Task Change_that_leaves_the_value_Not_changed_for_that_caller_only()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        var first = await HeldWriteOfZeroAsync(updates);
        var again = updates.UpdateAsync("index", Adding(0), CancellationToken.None);
        var other = updates.UpdateAsync("index", Adding(1), CancellationToken.None);
        store.Release();
        await Task.WhenAll(first, again, other).WaitAsync(Deadline);

        Assert.True((await first).Changed);
        Assert.False((await again).Changed);
        Assert.True((await other).Changed);
        Assert.Equal([0, 1], store.Inner.Peek<List<int>>("index"));
    }

    [Fact]
    public async Task Batch_whose_change_throws_Every_caller_in_it_sees_the_exception_and_the_key_is_written_again_after()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        var first = await HeldWriteOfZeroAsync(updates);
        var queued = updates.UpdateAsync("index", Adding(1), CancellationToken.None);
        var failing = updates.UpdateAsync("index", (_, _) => throw new InvalidOperationException("page write failed"), CancellationToken.None);
        store.Release();

        await first.WaitAsync(Deadline);
        Assert.Equal("page write failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => queued.WaitAsync(Deadline))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Deadline));

        var later = await updates.UpdateAsync("index", Adding(2), CancellationToken.None).WaitAsync(Deadline);
        Assert.True(later.Changed);
        Assert.Equal([0, 2], store.Inner.Peek<List<int>>("index"));
    }

    [Fact]
    public async Task Another_process_wrote_in_between_Batch_applied_again_to_its_value()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        store.Inner.Put("index", new List<int> { 0 });
        store.Inner.BeforeNextWrite("index", () => store.Inner.Put("index", new List<int> { 0, 9 }));

        var result = await updates.UpdateAsync("index", Adding(1), CancellationToken.None).WaitAsync(Deadline);

        Assert.True(result.Changed);
        Assert.Equal([0, 9, 1], store.Inner.Peek<List<int>>("index"));
    }

    [Fact]
    public async Task Caller_alone_with_its_last_read_Writes_without_reading_again()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        store.Inner.Put("index", new List<int> { 0 });
        var read = await store.GetAsync<List<int>>("index", CancellationToken.None);

        await updates.UpdateAsync("index", Adding(1), CancellationToken.None, new StateRead<List<int>>(read)).WaitAsync(Deadline);

        Assert.Equal(1, store.Inner.Reads);
        Assert.Equal([0, 1], store.Inner.Peek<List<int>>("index"));
    }

    [Fact]
    public async Task Last_read_is_stale_Read_again_and_written()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        store.Inner.Put("index", new List<int> { 0 });
        var read = await store.GetAsync<List<int>>("index", CancellationToken.None);
        store.Inner.Put("index", new List<int> { 0, 9 });

        await updates.UpdateAsync("index", Adding(1), CancellationToken.None, new StateRead<List<int>>(read)).WaitAsync(Deadline);

        Assert.Equal([0, 9, 1], store.Inner.Peek<List<int>>("index"));
    }

    [Fact]
    public async Task Caller_cancelled_while_queued_Stops_waiting_and_its_change_is_still_written()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        store.Hold("index");
        using var cancellation = new CancellationTokenSource();

        var first = updates.UpdateAsync("index", Adding(0), CancellationToken.None);
        await store.WriteWaiting.WaitAsync(Deadline);
        var queued = updates.UpdateAsync("index", Adding(1), cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Deadline));
        store.Release();
        await first.WaitAsync(Deadline);
        var after = await updates.UpdateAsync("index", Adding(2), CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal([0, 1, 2], after.Value);
    }

    [Fact]
    public async Task Key_held_Other_keys_written_meanwhile()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        store.Hold("a");

        var held = updates.UpdateAsync("a", Adding(0), CancellationToken.None);
        await store.WriteWaiting.WaitAsync(Deadline);
        var other = await updates.UpdateAsync("b", Adding(1), CancellationToken.None).WaitAsync(Deadline);

        Assert.False(held.IsCompleted);
        Assert.Equal([1], other.Value);
        store.Release();
        await held.WaitAsync(Deadline);
    }

    [Fact]
    public async Task More_queued_than_one_batch_takes_Written_in_batches_of_at_most_the_maximum()
    {
        var updates = new CoalescedUpdates<List<int>>(store);
        var first = await HeldWriteOfZeroAsync(updates);
        var queued = Enumerable.Range(1, CoalescedUpdates<List<int>>.MaxBatch + 1).Select(i => updates.UpdateAsync("index", Adding(i), CancellationToken.None)).ToList();
        store.Release();
        await Task.WhenAll([first, .. queued]).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, CoalescedUpdates<List<int>>.MaxBatch + 2), store.Inner.Peek<List<int>>("index"));
        Assert.Equal(3, store.Inner.Writes); // the first, a full batch, then the one left over
    }

    [Fact]
    public async Task Write_that_never_answers_Callers_see_a_sidecar_failure_at_the_batch_deadline_and_the_key_is_free_again()
    {
        var updates = new CoalescedUpdates<List<int>>(store, batchTimeout: TimeSpan.FromMilliseconds(200));
        store.Hold("index");

        var hung = updates.UpdateAsync("index", Adding(0), CancellationToken.None);

        await Assert.ThrowsAsync<DaprException>(() => hung.WaitAsync(Deadline));
        store.Release();
        var after = await updates.UpdateAsync("index", Adding(1), CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal([1], after.Value);
    }

    /// <summary>Starts adding 0 to "index" with its write held, and returns once that write waits (release with the store).</summary>
    private async Task<Task<StateUpdate<List<int>>>> HeldWriteOfZeroAsync(CoalescedUpdates<List<int>> updates)
    {
        store.Hold("index");
        var first = updates.UpdateAsync("index", Adding(0), CancellationToken.None);
        await store.WriteWaiting.WaitAsync(Deadline);
        return first;
    }

    private static Func<List<int>?, CancellationToken, Task<List<int>?>> Adding(int item) =>
        (current, _) => Task.FromResult<List<int>?>(current?.Contains(item) == true ? current : [.. current ?? [], item]);
}
