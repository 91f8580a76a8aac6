using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprShop.Bench.Shop;
using DaprShop.Testing.Drills;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// A shop the bench started for the crash drill (<see cref="ShopVariant.CrashDrill"/>), as the drill kills it: an app by
/// the pid the runner printed when it started it, the runner with its whole process tree, then the runner started again
/// on the same run file; payment-service's ledger read through payment-service's own sidecar, with its token.
/// </summary>
internal sealed class CrashDrillShop(LaunchedShop shop, string profile) : IDrillShop, IDisposable
{
    /// <summary>How long a ledger read is retried while payment-service (or the whole runner) comes back.</summary>
    private static readonly TimeSpan PaymentDeadline = TimeSpan.FromSeconds(30);

    private readonly HttpClient _paymentSidecar = PaymentSidecar(shop.Endpoints);

    public string Profile => profile;

    public Uri GatewayUrl => shop.Endpoints.Gateway;

    public Task KillAppAsync(string appId, CancellationToken cancellationToken) => shop.KillAppAsync(appId, cancellationToken);

    public Task KillRunnerAsync(CancellationToken cancellationToken) => shop.KillRunnerAsync(cancellationToken);

    public Task StartRunnerAsync(CancellationToken cancellationToken) => shop.RestartRunnerAsync(cancellationToken);

    /// <summary><c>GET /payments/{orderId}</c> through payment-service's sidecar: the payment, null on 404, retried while payment-service is coming back.</summary>
    public async Task<JsonObject?> ReadPaymentAsync(string orderId, CancellationToken cancellationToken)
    {
        var path = $"/v1.0/invoke/{ShopApp.Payments}/method/payments/{Uri.EscapeDataString(orderId)}";
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            string failure;
            try
            {
                using var response = await _paymentSidecar.GetAsync(path, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                }

                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new InvalidOperationException($"payment-service's sidecar refused GET {path} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }

                failure = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message; // payment-service or the runner is still coming back.
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e.Message;
            }

            if (deadline.Elapsed > PaymentDeadline)
            {
                throw new InvalidOperationException($"payment-service did not answer GET {path} through its sidecar within {PaymentDeadline.TotalSeconds:0} s: {failure}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    public void Dispose() => _paymentSidecar.Dispose();

    private static HttpClient PaymentSidecar(ShopEndpoints endpoints)
    {
        return BenchHttp.SidecarClient(
            endpoints.PaymentSidecar ?? throw new InvalidOperationException("the shop has no payment-service sidecar address"),
            endpoints.PaymentSidecarToken ?? throw new InvalidOperationException("the shop has no payment-service sidecar token"),
            TimeSpan.FromSeconds(10),
            maxConnections: 4);
    }
}
