using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// The caller's sidecar's transport for invocations: turns the request the forwarder built into an
/// <see cref="InvocationCall"/>, runs it under the <see cref="IInvocationPolicy"/>, and for each
/// attempt resolves a sidecar of the target app in the <see cref="LocalCluster"/> (daprd's name
/// resolution) and hands the request to its <see cref="LocalAppInvoker"/> in process.
/// </summary>
internal sealed class InvocationHandler(SidecarContext sidecar, IInvocationPolicy policy) : HttpMessageHandler
{
    /// <summary>The target app and method, set on the request by <see cref="InvocationTransformer"/>.</summary>
    public static readonly HttpRequestOptionsKey<InvocationTarget> TargetKey = new("DaprShop.Sidecar.Invocation.Target");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(TargetKey, out var target))
        {
            throw new InvalidOperationException("An invocation request must name its target app.");
        }

        var call = new InvocationCall(target.AppId, target.Method, request, (attempt, ct) => SendToTargetAsync(target, attempt, ct));
        return policy.ExecuteAsync(call, cancellationToken);
    }

    private Task<HttpResponseMessage> SendToTargetAsync(InvocationTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A call to the caller's own app id goes to its own app, as daprd's invokeLocal does; another app's goes to
        // one of its instances.
        var callee = target.AppId == sidecar.AppId
            ? sidecar.Cluster.Instances(target.AppId).FirstOrDefault(s => ReferenceEquals(s.Context, sidecar))
            : sidecar.Cluster.TryResolve(target.AppId, out var resolved) ? resolved : null;
        if (callee is null)
        {
            // What daprd's self-hosted name resolution (mDNS) answers for an app id nobody serves.
            throw new InvocationException(500, $"couldn't find service: {target.AppId}");
        }

        LocalAppInvoker invoker;
        try
        {
            invoker = callee.Services.GetRequiredService<LocalAppInvoker>();
        }
        catch (ObjectDisposedException)
        {
            throw new InvocationException(500, $"couldn't find service: {target.AppId}");
        }

        InvocationCaller? caller = target.AppId == sidecar.AppId
            ? null
            : new InvocationCaller(sidecar.AppId, sidecar.Options.Namespace, sidecar.Options.EnableMtls && callee.Context.Options.EnableMtls);
        return invoker.CallLocalAsync(request, target.Method, caller, cancellationToken);
    }
}

/// <summary>The app an invocation goes to and the method it calls there.</summary>
internal sealed record InvocationTarget(string AppId, string Method);
