using System.Text.Json.Serialization;

namespace DaprShop.Contracts.Orders;

[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    /// <summary>Placed; payment has not answered yet (or could not be reached).</summary>
    AwaitingPayment,

    /// <summary>Payment captured.</summary>
    Confirmed,

    /// <summary>Payment declined.</summary>
    Rejected,

    /// <summary>Cancelled by its owner (a captured payment was refunded), or unpaid when its payment window closed.</summary>
    Cancelled,
}
