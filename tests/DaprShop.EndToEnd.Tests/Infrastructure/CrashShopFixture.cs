namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A shop on a durable profile for crash drills: it is killed outright and started again on the same files and the
/// same databases. A deferred payment is retried after 1 s (doubling up to 4 s) and the payment window never
/// closes during a test; Redis Streams claims a message its dead sidecar never acknowledged after 3 s instead of 15 s.
/// </summary>
public abstract class CrashShopFixture : ShopFixtureBase
{
    protected override IEnumerable<KeyValuePair<string, string>> OrderServiceEnvironment() =>
    [
        new("Orders__PaymentWindow", "00:10:00"),
        new("Orders__PaymentRetry__BaseDelay", "00:00:01"),
        new("Orders__PaymentRetry__MaxDelay", "00:00:04"),
    ];

    protected override string AdjustComponent(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (fileName != "pubsub.yaml")
        {
            return text;
        }

        const string Timeout = "    - name: processingTimeout\n      value: \"15000\"\n";
        var normalized = text.ReplaceLineEndings("\n");
        return normalized.Contains(Timeout, StringComparison.Ordinal)
            ? normalized.Replace(Timeout, "    - name: processingTimeout\n      value: \"3000\"\n", StringComparison.Ordinal).Replace("\"5000\"", "\"1000\"", StringComparison.Ordinal)
            : throw new InvalidOperationException("components/redis/pubsub.yaml no longer sets processingTimeout 15000, which the crash drill shortens; update CrashShopFixture.");
    }
}

public sealed class RedisCrashShopFixture : CrashShopFixture
{
    public override string Profile => "redis";
}

public sealed class PostgresCrashShopFixture : CrashShopFixture
{
    public override string Profile => "postgres";
}

[CollectionDefinition(Name)]
public sealed class RedisCrashShopDefinition : ICollectionFixture<RedisCrashShopFixture>
{
    public const string Name = "redis crash shop";
}

[CollectionDefinition(Name)]
public sealed class PostgresCrashShopDefinition : ICollectionFixture<PostgresCrashShopFixture>
{
    public const string Name = "postgres crash shop";
}
