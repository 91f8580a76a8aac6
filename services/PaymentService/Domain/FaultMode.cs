using System.Text.Json.Serialization;

namespace PaymentService.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<FaultMode>))]
public enum FaultMode
{
    /// <summary>Payments behave normally.</summary>
    None,

    /// <summary>Payment endpoints answer 503.</summary>
    Down,

    /// <summary>Payment endpoints answer after a delay.</summary>
    Slow,
}
