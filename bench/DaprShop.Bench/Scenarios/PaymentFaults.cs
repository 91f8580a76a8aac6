using System.Net.Http.Json;

namespace DaprShop.Bench.Scenarios;

/// <summary>payment-service's fault injection, through its own sidecar: <c>PUT /v1.0/invoke/payment-service/method/faults</c>.</summary>
internal sealed class PaymentFaults(HttpClient paymentSidecar)
{
    public const string None = "none";
    public const string Down = "down";

    public async Task SetAsync(string mode, CancellationToken cancellationToken)
    {
        using var response = await paymentSidecar.PutAsJsonAsync("/v1.0/invoke/payment-service/method/faults", new { mode }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"setting payment-service's fault mode to '{mode}' answered {(int)response.StatusCode}: {body}");
        }
    }
}
