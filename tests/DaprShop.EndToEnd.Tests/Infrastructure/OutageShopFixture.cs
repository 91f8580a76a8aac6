using System.Globalization;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A shop of its own for the payment-outage tests, on a compressed clock: the breaker on payment-service stays open
/// for <see cref="BreakerOpenFor"/> instead of 30 s, a deferred payment is retried after 1 s, doubling up to 4 s, and
/// the payment window (10 min) never closes during a test, so every deferred order must end up paid.
/// </summary>
public class OutageShopFixture : ShopFixtureBase
{
    /// <summary>How long the breaker on payment-service rejects calls before it lets one probe through.</summary>
    public static TimeSpan BreakerOpenFor { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The per-attempt timeout of order-service's sidecar on payment calls (components/common/resiliency.yaml).</summary>
    public static TimeSpan PaymentAttemptTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The breaker timeout as components/common/resiliency.yaml sets it for production-like runs.</summary>
    private const string BreakerTimeoutLine = "        timeout: 30s\n";

    protected override IEnumerable<KeyValuePair<string, string>> OrderServiceEnvironment() =>
    [
        new("Orders__PaymentWindow", "00:10:00"),
        new("Orders__PaymentRetry__BaseDelay", "00:00:01"),
        new("Orders__PaymentRetry__MaxDelay", "00:00:04"),
    ];

    /// <summary>payment-service comes back after it is killed, as a supervisor would bring it back.</summary>
    protected override IEnumerable<string> ExtraRunnerArguments() => ["--restart-on-exit", "payment-service"];

    protected override string AdjustComponent(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (fileName != "resiliency.yaml")
        {
            return text;
        }

        text = text.ReplaceLineEndings("\n");
        if (!text.Contains(BreakerTimeoutLine, StringComparison.Ordinal) || !text.Contains("      payment: 1s\n", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("resiliency.yaml no longer has the breaker timeout (30s) or payment timeout (1s) the outage tests shorten or rely on; update OutageShopFixture.");
        }

        var seconds = BreakerOpenFor.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        return text.Replace(BreakerTimeoutLine, $"        timeout: {seconds}s\n", StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name)]
public sealed class OutageShopDefinition : ICollectionFixture<OutageShopFixture>
{
    public const string Name = "outage shop";
}

/// <summary>The outage shop on the redis profile.</summary>
public sealed class RedisOutageShopFixture : OutageShopFixture
{
    public override string Profile => "redis";
}

[CollectionDefinition(Name)]
public sealed class RedisOutageShopDefinition : ICollectionFixture<RedisOutageShopFixture>
{
    public const string Name = "redis outage shop";
}
