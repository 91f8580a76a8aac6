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
    public void UserNotifications_With_over_max_Keeps_newest()
    {
        var list = UserNotifications.Empty;
        for (var i = 0; i < 5; i++)
        {
            list = list.With(NotificationMessageBuilder.Build(TestEvents.Of(new OrderConfirmedIntegrationEvent()), DateTimeOffset.UtcNow)!, max: 3);
        }

        Assert.Equal(3, list.Items.Count);
    }
}
