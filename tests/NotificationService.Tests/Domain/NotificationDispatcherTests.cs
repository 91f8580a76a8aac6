using System.Diagnostics.Metrics;
using DaprShop.Contracts.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NotificationService.Domain;
using NotificationService.Telemetry;
using OrderService.Tests.Fakes;

namespace NotificationService.Tests.Domain;

public class NotificationDispatcherTests
{
    private readonly InMemoryAppStateStore state = new();
    private readonly RecordingSender sender = new();

    /// <summary>The time of <see cref="SendAsync"/>'s notifications: an hour ago onwards, a second apart.</summary>
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow.AddHours(-1));

    private NotificationLog Log => new(state);

    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private NotificationDispatcher Dispatcher() => new(Log, sender, new NotificationMetrics(Meters), TimeProvider.System, NullLogger<NotificationDispatcher>.Instance);

    [Fact]
    public async Task DispatchAsync_confirmed_Sent_once_and_recorded()
    {
        var outcome = await Dispatcher().DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent()), CancellationToken.None);

        Assert.Equal(DispatchOutcome.Sent, outcome);
        Assert.Single(sender.Sent);
        Assert.Single(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task DispatchAsync_sent_Counted_by_channel_with_its_lag_behind_the_order_event_and_a_duplicate_not_again()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        using var recorded = new MetricsRecorder(meters);
        var dispatcher = new NotificationDispatcher(Log, sender, new NotificationMetrics(meters), TimeProvider.System, NullLogger<NotificationDispatcher>.Instance);
        var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent()) with { OccurredAt = DateTimeOffset.UtcNow.AddSeconds(-3) };

        await dispatcher.DispatchAsync(orderEvent, CancellationToken.None);
        await dispatcher.DispatchAsync(orderEvent, CancellationToken.None);

        Assert.Equal(1, recorded.Sum("daprshop.notifications.sent", ("daprshop.notification.channel", "email")));
        Assert.Equal(1, recorded.Count("daprshop.notification.lag"));
        Assert.InRange(recorded.Sum("daprshop.notification.lag"), 3, 60);
    }

    [Fact]
    public async Task DispatchAsync_redelivered_event_Duplicate_and_not_sent_again()
    {
        var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent());
        await Dispatcher().DispatchAsync(orderEvent, CancellationToken.None);

        var outcome = await Dispatcher().DispatchAsync(orderEvent, CancellationToken.None);

        Assert.Equal(DispatchOutcome.Duplicate, outcome);
        Assert.Single(sender.Sent);
        Assert.Single(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task DispatchAsync_concurrent_redeliveries_Recorded_once()
    {
        var orderEvent = TestEvents.Of(new OrderCancelledIntegrationEvent());
        var dispatcher = Dispatcher();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => dispatcher.DispatchAsync(orderEvent, CancellationToken.None))));

        Assert.Single(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task DispatchAsync_submitted_Ignored_nothing_sent()
    {
        var outcome = await Dispatcher().DispatchAsync(TestEvents.Of(new OrderSubmittedIntegrationEvent()), CancellationToken.None);

        Assert.Equal(DispatchOutcome.Ignored, outcome);
        Assert.Empty(sender.Sent);
        Assert.Empty(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task DispatchAsync_send_fails_Throws_and_nothing_recorded_so_redelivery_sends()
    {
        var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent());
        sender.Failing = true;

        await Assert.ThrowsAsync<NotificationSendException>(() => Dispatcher().DispatchAsync(orderEvent, CancellationToken.None));
        sender.Failing = false;
        var retry = await Dispatcher().DispatchAsync(orderEvent, CancellationToken.None);

        Assert.Equal(DispatchOutcome.Sent, retry);
        Assert.Single(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_several_events_Newest_first_per_user()
    {
        var dispatcher = Dispatcher();
        await dispatcher.DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent()), CancellationToken.None);
        await dispatcher.DispatchAsync(TestEvents.Of(new OrderCancelledIntegrationEvent()), CancellationToken.None);
        await dispatcher.DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent(), userId: "u-2"), CancellationToken.None);

        var notifications = await Log.ListAsync("u-1", CancellationToken.None);

        Assert.Equal([OrderEventTypes.OrderCancelled, OrderEventTypes.OrderConfirmed], notifications.Select(n => n.EventType));
    }

    [Fact]
    public async Task RecordAsync_user_list_etag_conflicts_Retried()
    {
        state.InjectConflicts(NotificationLog.UserKey("u-1"), 3);

        await Dispatcher().DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent()), CancellationToken.None);

        Assert.Single(await Log.ListAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task DispatchAsync_confirmed_Two_state_calls_read_and_write()
    {
        await Dispatcher().DispatchAsync(TestEvents.Of(new OrderConfirmedIntegrationEvent()), CancellationToken.None);

        Assert.Equal(1, state.Reads);
        Assert.Equal(1, state.Writes);
        Assert.Equal([NotificationLog.UserKey("u-1")], state.Keys);
    }

    [Fact]
    public async Task RecordAsync_list_changed_since_read_Reads_again_and_keeps_both()
    {
        var first = NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), DateTimeOffset.UtcNow)!;
        var second = NotificationMessageBuilder.Build(TestEvents.Of(new OrderCancelledIntegrationEvent()), DateTimeOffset.UtcNow)!;
        var stale = await Log.ReadAsync("u-1", CancellationToken.None);
        await Log.RecordAsync(first, stale, CancellationToken.None);

        await Log.RecordAsync(second, stale, CancellationToken.None);

        Assert.Equal(2, (await Log.ListAsync("u-1", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task RecordAsync_head_reaches_twice_the_page_size_Oldest_move_to_a_page_and_the_newest_stay()
    {
        var sent = await SendAsync(2 * NotificationLog.PageSize);

        var head = (await Log.ReadAsync("u-1", CancellationToken.None))!.Value;
        Assert.Equal(1, head.Pages);
        Assert.Equal(sent.TakeLast(NotificationLog.PageSize).Reverse(), head.Items.Select(n => n.NotificationId));
        var page = (await state.GetAsync<NotificationPage>(NotificationLog.PageKey("u-1", 1), CancellationToken.None))!.Value;
        Assert.Equal(sent.Take(NotificationLog.PageSize).Reverse(), page.Items.Select(n => n.NotificationId));
        Assert.Equal(sent.AsEnumerable().Reverse(), (await Log.ListAsync("u-1", CancellationToken.None)).Select(n => n.NotificationId));
    }

    [Fact]
    public async Task DispatchAsync_after_a_rollover_Still_two_state_calls_and_one_more_write_per_page()
    {
        await SendAsync(2 * NotificationLog.PageSize);
        var (reads, writes) = (state.Reads, state.Writes);

        await SendAsync(NotificationLog.PageSize - 1);
        Assert.Equal((NotificationLog.PageSize - 1, NotificationLog.PageSize - 1), (state.Reads - reads, state.Writes - writes));

        await SendAsync(1);
        Assert.Equal((NotificationLog.PageSize, NotificationLog.PageSize + 1), (state.Reads - reads, state.Writes - writes));
        Assert.Equal(2, (await Log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages);
    }

    [Fact]
    public async Task DispatchAsync_redelivered_after_a_rollover_Duplicate_while_in_the_newest_page_size()
    {
        var events = Enumerable.Range(0, 2 * NotificationLog.PageSize).Select(_ => TestEvents.Of(new OrderConfirmedIntegrationEvent())).ToList();
        foreach (var orderEvent in events)
        {
            await Dispatcher().DispatchAsync(orderEvent, CancellationToken.None);
        }

        var outcome = await Dispatcher().DispatchAsync(events[^NotificationLog.PageSize], CancellationToken.None);

        Assert.Equal(DispatchOutcome.Duplicate, outcome);
        Assert.Equal(events.Count, sender.Sent.Count);
    }

    [Fact]
    public async Task ListAsync_long_history_Newest_max_listed_and_pages_out_of_reach_deleted()
    {
        var sent = await SendAsync(NotificationLog.MaxListed + 3 * NotificationLog.PageSize);

        var listed = await Log.ListAsync("u-1", CancellationToken.None);

        Assert.Equal(sent.TakeLast(NotificationLog.MaxListed).Reverse(), listed.Select(n => n.NotificationId));
        var pages = (await Log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages;
        Assert.True(pages > NotificationLog.PagesKept);
        var kept = Enumerable.Range(1, pages).Where(page => state.Keys.Contains(NotificationLog.PageKey("u-1", page))).ToList();
        Assert.Equal(Enumerable.Range(pages - NotificationLog.PagesKept + 1, NotificationLog.PagesKept), kept);
    }

    [Fact]
    public async Task RecordAsync_two_writers_roll_over_from_one_read_Page_written_once_and_both_kept()
    {
        await SendAsync(2 * NotificationLog.PageSize - 2);
        var first = NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), DateTimeOffset.UtcNow)!;
        var second = NotificationMessageBuilder.Build(TestEvents.Of(new OrderCancelledIntegrationEvent()), DateTimeOffset.UtcNow.AddSeconds(1))!;
        var third = NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), DateTimeOffset.UtcNow.AddSeconds(2))!;
        await Log.RecordAsync(first, await Log.ReadAsync("u-1", CancellationToken.None), CancellationToken.None);
        var stale = await Log.ReadAsync("u-1", CancellationToken.None);
        await Log.RecordAsync(second, stale, CancellationToken.None);

        await Log.RecordAsync(third, stale, CancellationToken.None);

        var listed = await Log.ListAsync("u-1", CancellationToken.None);
        Assert.Equal(2 * NotificationLog.PageSize + 1, listed.Count);
        Assert.Equal([third.NotificationId, second.NotificationId, first.NotificationId], listed.Take(3).Select(n => n.NotificationId));
        Assert.Equal(1, (await Log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages);
    }

    [Fact]
    public async Task RecordAsync_head_written_before_pages_with_500_Rolls_over_into_one_page_and_lists_the_same()
    {
        var legacy = Enumerable.Range(0, 500)
            .Select(i => NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), DateTimeOffset.UtcNow.AddMinutes(-2000 + i))!)
            .Reverse()
            .ToList();
        state.Put(NotificationLog.UserKey("u-1"), new { items = legacy });

        var sent = await SendAsync(1);

        var head = (await Log.ReadAsync("u-1", CancellationToken.None))!.Value;
        Assert.Equal((1, NotificationLog.PageSize), (head.Pages, head.Items.Count));
        var listed = await Log.ListAsync("u-1", CancellationToken.None);
        Assert.Equal(sent.Concat(legacy.Take(NotificationLog.MaxListed - 1).Select(n => n.NotificationId)), listed.Select(n => n.NotificationId));
    }

    [Fact]
    public async Task RecordAsync_head_whose_page_count_an_older_version_dropped_Rolls_over_to_the_next_free_page_and_lists_both()
    {
        var first = await SendAsync(2 * NotificationLog.PageSize);
        var head = (await Log.ReadAsync("u-1", CancellationToken.None))!.Value;
        state.Put(NotificationLog.UserKey("u-1"), new { items = head.Items });
        var page1 = state.Peek<NotificationPage>(NotificationLog.PageKey("u-1", 1))!;

        var second = await SendAsync(NotificationLog.PageSize);

        Assert.Equal(2, (await Log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages);
        Assert.True(page1.SameAs(state.Peek<NotificationPage>(NotificationLog.PageKey("u-1", 1))!));
        Assert.Equal(first.Concat(second).Reverse(), (await Log.ListAsync("u-1", CancellationToken.None)).Select(n => n.NotificationId));
    }

    [Fact]
    public async Task RecordAsync_deleting_an_old_page_fails_Delivery_still_sent_and_recorded()
    {
        await SendAsync(NotificationLog.PageSize * (NotificationLog.PagesKept + 2) - 1);
        state.FailNextDelete = true;

        await SendAsync(1);

        Assert.Contains(NotificationLog.PageKey("u-1", 1), state.Keys);
        Assert.Equal(NotificationLog.PagesKept + 1, (await Log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages);
    }

    [Fact]
    public async Task RecordAsync_rollover_inside_a_batch_of_one_users_deliveries_Page_out_of_reach_still_deleted()
    {
        await SendAsync(NotificationLog.PageSize * (NotificationLog.PagesKept + 2) - 2);
        var held = new HeldWritesStore(state);
        var log = new NotificationLog(held);
        var read = await log.ReadAsync("u-1", CancellationToken.None);
        var (inFlight, rollsOver, after) = (Confirmation(1), Confirmation(2), Confirmation(3));
        held.Hold(NotificationLog.UserKey("u-1"));

        var first = log.RecordAsync(inFlight, read, CancellationToken.None);
        await held.WriteWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        var batch = Task.WhenAll(log.RecordAsync(rollsOver, read, CancellationToken.None), log.RecordAsync(after, read, CancellationToken.None));
        held.Release();
        await Task.WhenAll(first, batch).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(NotificationLog.PagesKept + 1, (await log.ReadAsync("u-1", CancellationToken.None))!.Value.Pages);
        Assert.DoesNotContain(NotificationLog.PageKey("u-1", 1), state.Keys);
        Assert.Equal([after.NotificationId, rollsOver.NotificationId, inFlight.NotificationId], (await log.ListAsync("u-1", CancellationToken.None)).Take(3).Select(n => n.NotificationId));
    }

    /// <summary>Dispatches <paramref name="count"/> confirmations to u-1, a second apart; their notification ids, oldest first.</summary>
    private async Task<List<string>> SendAsync(int count)
    {
        var dispatcher = new NotificationDispatcher(Log, sender, new NotificationMetrics(Meters), clock, NullLogger<NotificationDispatcher>.Instance);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent());
            Assert.Equal(DispatchOutcome.Sent, await dispatcher.DispatchAsync(orderEvent, CancellationToken.None));
            ids.Add(sender.Sent.Last().NotificationId);
        }

        return ids;
    }

    /// <summary>A confirmation to u-1, <paramref name="seconds"/> after the clock's now.</summary>
    private Notification Confirmation(int seconds) =>
        NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), clock.GetUtcNow().AddSeconds(seconds))!;
}
