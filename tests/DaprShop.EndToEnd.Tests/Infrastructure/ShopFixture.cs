using System.Globalization;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The shop most end-to-end tests share. Payment is never retried within a test's time: an unpaid order is cancelled
/// after <see cref="PaymentWindow"/>, well before the first payment retry (1 min), so the tests see the payment window
/// expire without a retry reaching payment meanwhile, and no test trips the breaker on payment-service.
/// </summary>
public class ShopFixture : ShopFixtureBase
{
    /// <summary>How long an order of this run may await payment before a reminder cancels it.</summary>
    public static TimeSpan PaymentWindow { get; } = TimeSpan.FromSeconds(3);

    protected override IEnumerable<KeyValuePair<string, string>> OrderServiceEnvironment() =>
    [
        new("Orders__PaymentWindow", PaymentWindow.ToString("c", CultureInfo.InvariantCulture)),
        new("Orders__PaymentRetry__BaseDelay", "00:01:00"),
    ];
}

[CollectionDefinition(Name)]
public sealed class ShopDefinition : ICollectionFixture<ShopFixture>
{
    public const string Name = "shop";
}

/// <summary>The same shop on the redis profile (state.redis and pubsub.redis on the test Redis).</summary>
public sealed class RedisShopFixture : ShopFixture
{
    public override string Profile => "redis";
}

[CollectionDefinition(Name)]
public sealed class RedisShopDefinition : ICollectionFixture<RedisShopFixture>
{
    public const string Name = "redis shop";
}

/// <summary>The same shop on the postgres profile (state.postgresql v2 on the test PostgreSQL, pubsub.redis on the test Redis).</summary>
public sealed class PostgresShopFixture : ShopFixture
{
    public override string Profile => "postgres";
}

[CollectionDefinition(Name)]
public sealed class PostgresShopDefinition : ICollectionFixture<PostgresShopFixture>
{
    public const string Name = "postgres shop";
}

/// <summary>The shop with the runner's dashboard, every app and sidecar sending it telemetry (the trace tests read it back).</summary>
public sealed class TracedShopFixture : ShopFixture
{
    protected override IEnumerable<string> ExtraRunnerArguments() => ["--dashboard"];
}

[CollectionDefinition(Name)]
public sealed class TracedShopDefinition : ICollectionFixture<TracedShopFixture>
{
    public const string Name = "traced shop";
}
