using System.Security.Cryptography;
using System.Text;
using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;

namespace OrderService.IntegrationEvents;

/// <summary>The integration event that goes out, through the outbox, with each change of an order's log.</summary>
public static class OrderIntegrationEventFactory
{
    /// <summary>
    /// The event for a change whose last event is <paramref name="last"/> and which left the order as
    /// <paramref name="order"/>. Its id is derived from the order and the sequence, so the same change always has
    /// the same event id, which subscribers de-duplicate by.
    /// </summary>
    public static OrderIntegrationEvent For(OrderState order, RecordedOrderEvent last)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(last);

        OrderIntegrationEvent empty = last.Event switch
        {
            OrderPlaced => new OrderSubmittedIntegrationEvent(),
            // Not confirmed, not cancelled yet: the order waits for the refund of a capture that did not match it.
            PaymentDeferred or PaymentMismatched => new OrderPaymentDeferredIntegrationEvent(),
            OrderConfirmed => new OrderConfirmedIntegrationEvent(),
            OrderRejected => new OrderRejectedIntegrationEvent(),
            OrderCancelled => new OrderCancelledIntegrationEvent(),
            _ => throw new InvalidOperationException($"A change of an order ends with the event that says its status; {last.Type} does not."),
        };

        return empty with
        {
            EventId = EventId(order.OrderId, last.Sequence),
            OrderId = order.OrderId,
            UserId = order.UserId,
            UserEmail = order.UserEmail,
            Status = order.Status,
            Total = order.Total,
            Currency = order.Currency,
            OccurredAt = last.OccurredAt,
            Reason = order.Status is OrderStatus.Rejected or OrderStatus.Cancelled || order.PaymentDeferred || order.PaymentMismatch is not null ? order.StatusReason : null,
        };
    }

    /// <summary>A name-based UUID (version 8, from SHA-256) of the order id and the event's sequence.</summary>
    public static Guid EventId(string orderId, long sequence)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"daprshop/order-event/{orderId.Length}:{orderId}/{sequence}"), hash);

        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
