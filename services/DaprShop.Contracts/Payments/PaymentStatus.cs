using System.Text.Json.Serialization;

namespace DaprShop.Contracts.Payments;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    Captured,
    Declined,
    Refunded,
}
