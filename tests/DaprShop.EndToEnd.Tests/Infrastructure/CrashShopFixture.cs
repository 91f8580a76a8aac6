using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.Testing.Drills;

namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A shop for crash drills: its apps or the runner are killed outright, and it starts again on the same files and the
/// same databases. Every app is started again by the runner when it dies (<c>--restart-on-exit</c>). A deferred payment
/// is retried after 1 s (doubling up to 4 s) and the payment window never closes during a test; on the durable profiles
/// Redis Streams claims a message its dead sidecar never acknowledged after 3 s instead of 15 s.
/// </summary>
public abstract class CrashShopFixture : ShopFixtureBase, IDrillShop
{
    private static readonly string[] AppIds = ["auth-gateway", "order-service", "payment-service", "notification-service"];

    protected override IEnumerable<string> ExtraRunnerArguments() => AppIds.SelectMany(id => new[] { "--restart-on-exit", id });

    /// <summary>Kills the app, or each of the instances the target names, separated by commas, at once.</summary>
    Task IDrillShop.KillAppAsync(string appId, CancellationToken cancellationToken) =>
        Task.WhenAll(appId.Split(',', StringSplitOptions.TrimEntries).Select(KillAppAsync));

    Task IDrillShop.KillRunnerAsync(CancellationToken cancellationToken) => KillAsync();

    Task IDrillShop.StartRunnerAsync(CancellationToken cancellationToken) => StartRunnerAsync();

    /// <summary>The ledger through payment-service's own sidecar, retried while payment-service is coming back.</summary>
    public async Task<JsonObject?> ReadPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        using var sidecar = Sidecar("payment-service");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await sidecar.GetAsync($"/v1.0/invoke/payment-service/method/payments/{Uri.EscapeDataString(orderId)}", cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                // payment-service or the runner is still coming back.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"payment-service did not answer for order {orderId} within 30 s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    protected override IEnumerable<KeyValuePair<string, string>> OrderServiceEnvironment() =>
    [
        new("Orders__PaymentWindow", "00:10:00"),
        new("Orders__PaymentRetry__BaseDelay", "00:00:01"),
        new("Orders__PaymentRetry__MaxDelay", "00:00:04"),
    ];

    protected override string AdjustComponent(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (fileName != "pubsub.yaml" || Profile == "embedded")
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

public sealed class EmbeddedCrashShopFixture : CrashShopFixture;

public sealed class RedisCrashShopFixture : CrashShopFixture
{
    public override string Profile => "redis";
}

public sealed class PostgresCrashShopFixture : CrashShopFixture
{
    public override string Profile => "postgres";
}

/// <summary>
/// The redis profile with two instances of order-service and of payment-service (<c>--replicas</c>), each instance a
/// pod: its sidecar stops with its app and both come back together.
/// </summary>
public sealed class ReplicaCrashShopFixture : CrashShopFixture
{
    public static readonly string[] Replicated = ["order-service", "payment-service"];

    public override string Profile => "redis";

    /// <summary>The sidecar HTTP port of an instance (<c>order-service#2</c>), as the runner last announced it.</summary>
    public int SidecarPortOf(string instance)
    {
        var announced = System.Text.RegularExpressions.Regex.Matches(Output, $@"{System.Text.RegularExpressions.Regex.Escape(instance)}: app port [0-9]+, sidecar HTTP (?<port>[0-9]+)");
        return announced.Count > 0
            ? int.Parse(announced[^1].Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"the runner never announced {instance}");
    }

    protected override IEnumerable<string> ExtraRunnerArguments() =>
        base.ExtraRunnerArguments().Concat(Replicated.SelectMany(id => new[] { "--replicas", $"{id}=2" }));
}

[CollectionDefinition(Name)]
public sealed class ReplicaCrashShopDefinition : ICollectionFixture<ReplicaCrashShopFixture>
{
    public const string Name = "replica crash shop";
}

[CollectionDefinition(Name)]
public sealed class EmbeddedCrashShopDefinition : ICollectionFixture<EmbeddedCrashShopFixture>
{
    public const string Name = "embedded crash shop";
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
