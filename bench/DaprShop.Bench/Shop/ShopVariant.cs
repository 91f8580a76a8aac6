namespace DaprShop.Bench.Shop;

/// <summary>How a shop the bench starts differs from the shop as the repository's run file starts it (see <see cref="ShopRunFile"/>).</summary>
internal enum ShopVariant
{
    /// <summary>The repository's components and settings, apps logging at Warning.</summary>
    Standard,

    /// <summary>resiliency.yaml without the circuit breaker on payment-service: the breaker scenario's comparison.</summary>
    WithoutPaymentBreaker,

    /// <summary>
    /// For the crash drill, as the end-to-end tests' CrashShopFixture sets it up: the runner starts every app again when
    /// it dies (<c>--restart-on-exit</c>); order-service retries a deferred payment after 1 s (doubling up to 4 s) and
    /// its payment window (10 minutes) does not close during a drill, so rounds settle quickly; on the durable profiles
    /// Redis Streams claims a message its dead sidecar never acknowledged after 3 s, checking every 1 s (15 s and 5 s in
    /// components/redis and components/postgres).
    /// </summary>
    CrashDrill,
}
