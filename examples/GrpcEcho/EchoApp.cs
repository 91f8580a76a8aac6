using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DaprShop.Examples.GrpcEcho;

/// <summary>The app: the <c>Echo</c> gRPC service over h2c on 127.0.0.1 and the given port (as <c>appProtocol: grpc</c> expects).</summary>
public static class EchoApp
{
    public static WebApplication Build(int port, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(System.Net.IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<AppCallbackService>();
        app.MapGrpcService<HealthCheckService>();
        return app;
    }
}
