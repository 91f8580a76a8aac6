using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Infrastructure;

public class StateUserOrderIndexTests
{
    private const int PageSize = StateUserOrderIndex.PageSize;

    private readonly InMemoryAppStateStore state = new();

    private StateUserOrderIndex Index => new(state);

    private static string Id(int n) => $"o-{n:D5}";

    private async Task AddAsync(int count, int first = 1)
    {
        for (var n = first; n < first + count; n++)
        {
            await Index.AddAsync("u-1", Id(n), CancellationToken.None);
        }
    }

    /// <summary>
    /// u-1 with <see cref="PageSize"/> − 2 ids, and the next being added through an index whose head write is held:
    /// returned once that write waits, so that more adds queue behind it until <c>held.Release()</c>.
    /// </summary>
    private async Task<(StateUserOrderIndex Index, HeldWritesStore Held, Task First)> OneShortOfFullWithItsWriteHeldAsync()
    {
        await AddAsync(PageSize - 2);
        var held = new HeldWritesStore(state);
        var index = new StateUserOrderIndex(held);
        held.Hold(StateUserOrderIndex.IndexKey("u-1"));
        var first = index.AddAsync("u-1", Id(PageSize - 1), CancellationToken.None);
        await held.WriteWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        return (index, held, first);
    }

    [Fact]
    public async Task GetAsync_after_more_than_a_page_Every_id_in_order_once()
    {
        await AddAsync((2 * PageSize) + 7);

        var ids = await Index.GetAsync("u-1", CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, (2 * PageSize) + 7).Select(Id), ids);
    }

    [Fact]
    public async Task AddAsync_past_a_full_head_Writes_the_page_and_starts_a_new_head()
    {
        await AddAsync(PageSize + 1);

        var head = state.Peek<UserOrderIndex>(StateUserOrderIndex.IndexKey("u-1"));
        var page = state.Peek<UserOrderPage>(StateUserOrderIndex.PageKey("u-1", 1));
        Assert.Equal(new[] { Id(PageSize + 1) }, head?.OrderIds);
        Assert.Equal(1, head?.Pages);
        Assert.Equal(Enumerable.Range(1, PageSize).Select(Id), page?.OrderIds);
    }

    [Fact]
    public async Task AddAsync_Reads_and_writes_the_head_only_whatever_the_history()
    {
        await AddAsync((3 * PageSize) + 1);
        var (reads, writes) = (state.Reads, state.Writes);

        await Index.AddAsync("u-1", Id(9999), CancellationToken.None);

        Assert.Equal((1, 1), (state.Reads - reads, state.Writes - writes));
    }

    [Fact]
    public async Task AddAsync_an_id_in_the_head_Changes_nothing()
    {
        await AddAsync(3);
        var writes = state.Writes;

        await Index.AddAsync("u-1", Id(2), CancellationToken.None);

        Assert.Equal(writes, state.Writes);
        Assert.Equal(Enumerable.Range(1, 3).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task AddAsync_after_a_crash_between_the_page_and_the_head_Writes_the_same_page_and_loses_nothing()
    {
        await AddAsync(PageSize);
        // The previous writer wrote the page out, then died before it replaced the head.
        state.Put(StateUserOrderIndex.PageKey("u-1", 1), new UserOrderPage([.. Enumerable.Range(1, PageSize).Select(Id)]));

        await AddAsync(1, first: PageSize + 1);

        Assert.Equal(Enumerable.Range(1, PageSize + 1).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task AddAsync_when_another_writer_moves_the_head_on_meanwhile_Retries_on_the_new_head()
    {
        await AddAsync(PageSize);
        state.BeforeNextWrite(StateUserOrderIndex.IndexKey("u-1"), () =>
            state.Put(StateUserOrderIndex.IndexKey("u-1"), new UserOrderIndex([Id(PageSize + 1)], Pages: 1)));

        await Index.AddAsync("u-1", Id(PageSize + 2), CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, PageSize + 2).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_an_id_added_again_after_its_page_was_written_Listed_once()
    {
        await AddAsync(PageSize + 1);

        await Index.AddAsync("u-1", Id(1), CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, PageSize + 1).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task An_index_stored_before_pages_existed_Reads_and_pages_out_all_its_ids()
    {
        // The earlier format: one list of every id, no page count.
        state.Put(StateUserOrderIndex.IndexKey("u-1"), new { orderIds = Enumerable.Range(1, PageSize + 20).Select(Id).ToArray() });
        Assert.Equal(Enumerable.Range(1, PageSize + 20).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));

        await AddAsync(1, first: PageSize + 21);

        Assert.Equal(1, state.Peek<UserOrderIndex>(StateUserOrderIndex.IndexKey("u-1"))?.Pages);
        Assert.Equal(Enumerable.Range(1, PageSize + 21).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task AddAsync_one_users_orders_at_once_across_a_page_Queued_into_one_write_every_id_once()
    {
        var (index, held, first) = await OneShortOfFullWithItsWriteHeldAsync();
        var writes = state.Writes;
        var queued = Enumerable.Range(PageSize, 5).Select(n => index.AddAsync("u-1", Id(n), CancellationToken.None)).ToList();
        held.Release();
        await Task.WhenAll([first, .. queued]).WaitAsync(TimeSpan.FromSeconds(10));

        // The one in flight, then the page and the head for the five queued behind it (in the order they came).
        Assert.Equal(3, state.Writes - writes);
        Assert.Equal(1, state.Peek<UserOrderIndex>(StateUserOrderIndex.IndexKey("u-1"))?.Pages);
        Assert.Equal(Enumerable.Range(1, PageSize + 4).Select(Id), await Index.GetAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task AddAsync_batch_rolled_over_then_lost_to_another_replica_Page_it_wrote_loses_no_id()
    {
        var (index, held, first) = await OneShortOfFullWithItsWriteHeldAsync();
        var head = StateUserOrderIndex.IndexKey("u-1");
        var batch = Task.WhenAll(index.AddAsync("u-1", "b-1", CancellationToken.None), index.AddAsync("u-1", "b-2", CancellationToken.None));
        // The batch writes page 1 from a head it never saved: another replica adds an order just before, so the batch's
        // head write fails and its changes run again on that replica's head, where the page is already taken.
        state.BeforeNextWrite(StateUserOrderIndex.PageKey("u-1", 1), () =>
            state.Put(head, new UserOrderIndex([.. Enumerable.Range(1, PageSize - 1).Select(Id), "x-1"])));
        held.Release();
        await Task.WhenAll(first, batch).WaitAsync(TimeSpan.FromSeconds(10));

        var ids = await Index.GetAsync("u-1", CancellationToken.None);
        Assert.Equal([.. Enumerable.Range(1, PageSize - 1).Select(Id), "b-1", "x-1", "b-2"], ids);
    }

    [Fact]
    public async Task GetAsync_unknown_user_Empty() =>
        Assert.Empty(await Index.GetAsync("u-unknown", CancellationToken.None));
}
