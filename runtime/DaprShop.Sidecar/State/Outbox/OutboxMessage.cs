using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprShop.Sidecar.State.Outbox;

/// <summary>
/// One message of the transactional outbox, written as a row of the state store in the same
/// transaction as the state it describes: the finished CloudEvent and where it goes. The row lives
/// under <c>daprshop-outbox||{appId}||{event id}</c> until the message is published.
/// </summary>
public sealed record OutboxMessage(
    [property: JsonPropertyName("pubsub")] string Pubsub,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("event")] JsonElement CloudEvent,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt)
{
    public const string KeyPrefix = "daprshop-outbox";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The stored-key prefix of one app's outbox rows.</summary>
    public static string PrefixFor(string appId) => $"{KeyPrefix}{StateKeyPrefix.Separator}{appId}{StateKeyPrefix.Separator}";

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <exception cref="JsonException">The row is not an outbox message.</exception>
    public static OutboxMessage Parse(ReadOnlySpan<byte> row) =>
        JsonSerializer.Deserialize<OutboxMessage>(row, Json) ?? throw new JsonException("the outbox row is empty");
}
