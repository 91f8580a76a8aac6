using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DaprShop.Bench.Load;
using DaprShop.Bench.Shop;

namespace DaprShop.Bench.Scenarios;

/// <summary>An order placed during measurement, for the notification check; <paramref name="SentAt"/> is when its request left (UTC).</summary>
internal sealed record PlacedOrder(int Shopper, string OrderId, int Status, DateTimeOffset SentAt);

/// <summary>
/// <c>POST /api/orders</c> through the gateway: one item, paid with <paramref name="paymentMethod"/>, the shoppers
/// taking turns, a new <c>Idempotency-Key</c> each time (so every request is a new order). 201 and 202 are the
/// expected answers. The placed orders' ids are kept once measuring starts, and before that (priming and warm-up, apart)
/// only when <see cref="AfterWarmup"/> is to wait out their notifications, so that the measured lag is the phase's own.
/// </summary>
internal sealed class OrderWorkload(HttpClient gateway, IReadOnlyList<Shopper> shoppers, string runId, string paymentMethod, string seriesName) : Workload
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly byte[] _body = JsonSerializer.SerializeToUtf8Bytes(
        new { items = new[] { new { sku = "SKU-BENCH-001", quantity = 2, unitPrice = 12.50m } }, currency = "EUR", paymentMethod },
        JsonSerializerOptions.Web);

    private readonly ConcurrentQueue<PlacedOrder> _beforeMeasuring = new();
    private long _next = -1;
    private ConcurrentQueue<PlacedOrder>? _placed;

    public override IReadOnlyList<string> Series { get; } = [seriesName];

    /// <summary>The orders placed since measuring started.</summary>
    public IReadOnlyCollection<PlacedOrder> Placed => _placed ?? [];

    /// <summary>What to do with the orders placed before measuring once the warm-up is over (nothing when null).</summary>
    public Func<IReadOnlyCollection<PlacedOrder>, CancellationToken, Task>? AfterWarmup { get; init; }

    public override Task SettleAsync(CancellationToken cancellationToken) =>
        AfterWarmup is { } settle ? settle(_beforeMeasuring, cancellationToken) : Task.CompletedTask;

    public override void StartMeasuring() => _placed = new ConcurrentQueue<PlacedOrder>();

    public override async Task<Outcome> SendAsync(long sequence, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _next);
        var shopper = shoppers[(int)(n % shoppers.Count)];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", shopper.Token);
        request.Headers.Add("Idempotency-Key", $"bench-{runId}-{n}");
        request.Content = new ByteArrayContent(_body);
        request.Content.Headers.ContentType = JsonType;

        var sentAt = DateTimeOffset.UtcNow;
        using var response = await gateway.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var placed = response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted;
        if (placed && (_placed ?? (AfterWarmup is null ? null : _beforeMeasuring)) is { } tracked)
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            if (json.RootElement.TryGetProperty("orderId", out var orderId) && orderId.GetString() is { } id)
            {
                tracked.Enqueue(new PlacedOrder(shopper.Index, id, (int)response.StatusCode, sentAt));
            }
        }

        return await Outcome.StatusAsync(response, placed, cancellationToken);
    }
}
