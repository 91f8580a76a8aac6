namespace DaprShop.Bench.Shop;

/// <summary>
/// Where the measured shop answers: the gateway always; the internal endpoints when the bench started the shop
/// itself, or when they were given with <c>--url</c>. A scenario that needs one that is missing is skipped.
/// </summary>
internal sealed record ShopEndpoints(Uri Gateway)
{
    public Uri? GatewaySidecar { get; init; }

    /// <summary>The Dapr API token the gateway's sidecar asks of every caller; known when the bench started the shop.</summary>
    public string? GatewaySidecarToken { get; init; }

    public Uri? OrderSidecar { get; init; }

    /// <summary>The Dapr API token order-service's sidecar asks of every caller; known when the bench started the shop.</summary>
    public string? OrderSidecarToken { get; init; }

    public Uri? PaymentSidecar { get; init; }

    /// <summary>The Dapr API token payment-service's sidecar asks of every caller (<see cref="ShopApp.SidecarTokenHeader"/>); known when the bench started the shop.</summary>
    public string? PaymentSidecarToken { get; init; }

    public Uri? PaymentApp { get; init; }

    /// <summary>payment-service's <c>APP_API_TOKEN</c>, which its app port asks of every caller but its sidecar.</summary>
    public string? PaymentAppToken { get; init; }

    /// <summary>The CPU time of the shop's processes, when the bench started them (null when attached with <c>--url</c>).</summary>
    public ShopCpu? Cpu { get; init; }
}
