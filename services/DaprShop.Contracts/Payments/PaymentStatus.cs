using System.Text.Json.Serialization;

namespace DaprShop.Contracts.Payments;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    Captured,
    Declined,
    Refunded,

    /// <summary>
    /// No payment was captured when the order asked for a refund (a cancelled or expired order), and none ever will
    /// be: a capture that arrives later for the same order returns this instead of charging.
    /// </summary>
    Voided,
}
