using System.Globalization;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Components.Redis;

namespace DaprShop.Sidecar.PubSub.Redis;

/// <summary>
/// The stream metadata of <c>pubsub.redis</c>, with components-contrib v1.18's defaults and parsing
/// (<c>common/component/redis/redis.go</c>, <c>settings.go</c>): <c>consumerID</c> (the app id; the
/// <c>{appID}</c>, <c>{podName}</c> and <c>{namespace}</c> placeholders are expanded),
/// <c>processingTimeout</c> (60 s), <c>redeliverInterval</c> (15 s), <c>queueDepth</c> (100),
/// <c>concurrency</c> (10), <c>maxLenApprox</c> and <c>streamTTL</c> (unset: streams are not trimmed).
/// A bare number is milliseconds. <c>redeliverInterval</c> is only read as a number: daprd skips it
/// when decoding and then parses it as milliseconds, so a value such as <c>30s</c> leaves the default
/// (<see cref="RedeliverIntervalIgnored"/> says so).
/// </summary>
public sealed record RedisStreamsSettings(
    string ConsumerId,
    TimeSpan ProcessingTimeout,
    TimeSpan RedeliverInterval,
    int QueueDepth,
    int Concurrency,
    long MaxLenApprox,
    TimeSpan StreamTtl)
{
    public static readonly TimeSpan DefaultProcessingTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultRedeliverInterval = TimeSpan.FromSeconds(15);

    /// <summary>A <c>redeliverInterval</c> that daprd would not apply (not a number of milliseconds), or null.</summary>
    public string? RedeliverIntervalIgnored { get; init; }

    /// <summary>Whether stuck messages are claimed again (both settings non-zero), which also bounds each handler call by <see cref="ProcessingTimeout"/>.</summary>
    public bool Redelivers => ProcessingTimeout > TimeSpan.Zero && RedeliverInterval > TimeSpan.Zero;

    public static RedisStreamsSettings FromSpec(ComponentSpec spec, string appId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var metadata = spec.Metadata;
        var processingTimeout = RedisClientSettings.Duration(metadata, "processingTimeout", DefaultProcessingTimeout);
        var redeliverText = metadata.Get("redeliverInterval");
        var redeliverInterval = DefaultRedeliverInterval;
        string? ignored = null;
        if (!string.IsNullOrWhiteSpace(redeliverText))
        {
            if (ulong.TryParse(redeliverText, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                redeliverInterval = TimeSpan.FromMilliseconds(milliseconds);
            }
            else
            {
                ignored = redeliverText;
            }
        }

        var queueDepth = metadata.Number("queueDepth", 100);
        var concurrency = metadata.Number("concurrency", 10);
        if (queueDepth < 1)
        {
            throw metadata.Error("queueDepth", $"'{queueDepth}' must be at least 1");
        }

        if (concurrency < 1)
        {
            throw metadata.Error("concurrency", $"'{concurrency}' must be at least 1");
        }

        var maxLenText = metadata.Get("maxLenApprox");
        long maxLen = 0;
        if (!string.IsNullOrWhiteSpace(maxLenText) && !long.TryParse(maxLenText, NumberStyles.None, CultureInfo.InvariantCulture, out maxLen))
        {
            throw metadata.Error("maxLenApprox", $"'{maxLenText}' is not a number of entries");
        }

        return new RedisStreamsSettings(
            ConsumerIdFor(metadata.Get("consumerID"), appId),
            processingTimeout < TimeSpan.Zero ? TimeSpan.Zero : processingTimeout,
            redeliverInterval,
            queueDepth,
            concurrency,
            maxLen,
            RedisClientSettings.Duration(metadata, "streamTTL", TimeSpan.Zero))
        {
            RedeliverIntervalIgnored = ignored,
        };
    }

    /// <summary>The consumer group (and consumer) name: the metadata's <c>consumerID</c> with its placeholders expanded, else the app id.</summary>
    private static string ConsumerIdFor(string? configured, string appId)
    {
        if (string.IsNullOrEmpty(configured))
        {
            return appId;
        }

        var ns = Environment.GetEnvironmentVariable("NAMESPACE");
        return configured
            .Replace("{appID}", appId, StringComparison.Ordinal)
            .Replace("{podName}", Environment.GetEnvironmentVariable("POD_NAME") ?? appId, StringComparison.Ordinal)
            .Replace("{namespace}", string.IsNullOrEmpty(ns) ? appId : $"{ns}.{appId}", StringComparison.Ordinal);
    }
}
