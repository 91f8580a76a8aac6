using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AuthGateway.Tests.Forwarding;

/// <summary>
/// A real HTTP listener on a loopback port standing in for the gateway's sidecar: it answers every request with what
/// it received (method, path, query, headers), daprd's invocation error for a path ending in <c>/unreachable</c>, and, for a POST, a <c>Location</c> like the order service's.
/// </summary>
public sealed class StandInSidecar : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Func<int> requests;

    private StandInSidecar(WebApplication app, int port, Func<int> requests)
    {
        this.app = app;
        Port = port;
        this.requests = requests;
    }

    public int Port { get; }

    /// <summary>How many requests reached the stand-in so far.</summary>
    public int Requests => requests();

    public static async Task<StandInSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var requests = 0;
        app.Run(async context =>
        {
            Interlocked.Increment(ref requests);
            if (context.Request.Path.Value?.EndsWith("/unreachable", StringComparison.Ordinal) == true)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = "failed to invoke, id: order-service, err: connection refused" });
                return;
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.Headers.Location = "/orders/o-123";
            }

            await context.Response.WriteAsJsonAsync(new Received(
                context.Request.Method,
                context.Request.Path.Value ?? string.Empty,
                context.Request.QueryString.Value ?? string.Empty,
                context.Request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString())));
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new StandInSidecar(app, new Uri(address).Port, () => Volatile.Read(ref requests));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed record Received(string Method, string Path, string Query, Dictionary<string, string> Headers)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<Received> ReadAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (await JsonSerializer.DeserializeAsync<Received>(await response.Content.ReadAsStreamAsync(), Web))!;
    }
}
