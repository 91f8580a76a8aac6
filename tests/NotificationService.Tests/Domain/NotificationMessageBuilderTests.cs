using DaprShop.Contracts.Orders;
using NotificationService.Domain;

namespace NotificationService.Tests.Domain;

public class NotificationMessageBuilderTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public void Build_confirmed_Email_with_amount_and_order()
    {
        var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent());

        var notification = NotificationMessageBuilder.Build(orderEvent, Now);

        Assert.NotNull(notification);
        Assert.Equal("email", notification.Channel);
        Assert.Equal("u-1@example.com", notification.Recipient);
        Assert.Equal(OrderEventTypes.OrderConfirmed, notification.EventType);
        Assert.Equal("Order o-1 confirmed", notification.Subject);
        Assert.Contains("25.50 EUR", notification.Message, StringComparison.Ordinal);
        Assert.Equal($"{orderEvent.EventId}-email", notification.NotificationId);
        Assert.Equal(Now, notification.SentAt);
    }

    [Fact]
    public void Build_rejected_Mentions_reason()
    {
        var notification = NotificationMessageBuilder.Build(TestEvents.Of(new OrderRejectedIntegrationEvent(), reason: "card_declined"), Now);

        Assert.Equal("Order o-1 rejected", notification?.Subject);
        Assert.Contains("declined (card_declined)", notification?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_cancelled_Mentions_refund()
    {
        var notification = NotificationMessageBuilder.Build(TestEvents.Of(new OrderCancelledIntegrationEvent()), Now);

        Assert.Contains("refunded", notification?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_submitted_Null()
    {
        Assert.Null(NotificationMessageBuilder.Build(TestEvents.Of(new OrderSubmittedIntegrationEvent()), Now));
    }

    [Fact]
    public void Build_event_without_email_Recipient_is_user_id()
    {
        var orderEvent = TestEvents.Of(new OrderConfirmedIntegrationEvent()) with { UserEmail = null };

        Assert.Equal("u-1", NotificationMessageBuilder.Build(orderEvent, Now)?.Recipient);
    }
}
