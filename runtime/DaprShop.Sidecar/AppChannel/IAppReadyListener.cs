namespace DaprShop.Sidecar.AppChannel;

/// <summary>
/// Work a building block does once the app's port is open, as daprd does after its app channel
/// is up: pub/sub reads <c>GET /dapr/subscribe</c>, actors read <c>GET /dapr/config</c>.
/// Registered in the sidecar's DI container; run in registration order.
/// </summary>
public interface IAppReadyListener
{
    Task OnAppReadyAsync(CancellationToken cancellationToken);
}
