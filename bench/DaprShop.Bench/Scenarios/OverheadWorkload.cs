using System.Net;
using DaprShop.Bench.Load;

namespace DaprShop.Bench.Scenarios;

/// <summary>
/// The same small invocation, <c>GET /faults</c> on payment-service, two ways, interleaved request by request
/// (direct, via, via, direct, direct, via, ...: each pair alternates which goes first): directly on the app
/// port with the app token its sidecar would add, and through the gateway's sidecar
/// (<c>/v1.0/invoke/payment-service/method/faults</c>: caller sidecar → callee sidecar → app).
/// </summary>
internal sealed class OverheadWorkload(HttpClient paymentApp, string paymentAppToken, HttpClient gatewaySidecar) : Workload
{
    public const string Method = "faults";
    public const string DirectSeries = "direct (app port)";
    public const string ViaSidecarsSeries = "via two sidecars";
    public const string ApiTokenHeader = "dapr-api-token";

    public override IReadOnlyList<string> Series { get; } = [DirectSeries, ViaSidecarsSeries];

    public override int SeriesOf(long sequence) => (int)((sequence + (sequence / 2)) % 2);

    public override Task<Outcome> SendAsync(long sequence, CancellationToken cancellationToken) =>
        SeriesOf(sequence) == 0 ? DirectAsync(cancellationToken) : ViaSidecarsAsync(cancellationToken);

    public async Task<Outcome> DirectAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{Method}");
        request.Headers.Add(ApiTokenHeader, paymentAppToken);
        using var response = await paymentApp.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Outcome.StatusAsync(response, response.StatusCode == HttpStatusCode.OK, cancellationToken);
    }

    public async Task<Outcome> ViaSidecarsAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1.0/invoke/payment-service/method/{Method}");
        using var response = await gatewaySidecar.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Outcome.StatusAsync(response, response.StatusCode == HttpStatusCode.OK, cancellationToken);
    }
}
