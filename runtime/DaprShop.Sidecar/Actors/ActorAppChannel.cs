using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Http;

namespace DaprShop.Sidecar.Actors;

/// <summary>A request for an actor method as the hosting sidecar sends it to its app.</summary>
public sealed record ActorAppRequest(
    string Method,
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    string QueryString,
    IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>The app's answer to an actor call, read in full (daprd does not stream actor calls).</summary>
public sealed record ActorAppResponse(
    int StatusCode,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[] Body)
{
    /// <summary>The .NET SDK reports an actor's exception with this header on a 200 answer.</summary>
    public const string ErrorResponseHeader = "X-DaprErrorResponseHeader";

    /// <summary>A truthy value stops the reminder or timer that made the call.</summary>
    public const string ReminderCancelHeader = "X-DaprReminderCancel";

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>
/// The actor calls from a sidecar to its app, as daprd makes them (dapr/dapr
/// <c>pkg/actors/targets/app/app.go</c>, Dapr.Actors.AspNetCore's routes): <c>GET dapr/config</c>,
/// always <c>PUT actors/{type}/{id}/method/{method}</c> whatever the caller's verb, and
/// <c>DELETE actors/{type}/{id}</c> to deactivate. Requests carry APP_API_TOKEN through
/// <see cref="AppChannelClient"/>.
/// </summary>
public sealed class ActorAppChannel(AppChannelClient app)
{
    public const string ConfigPath = "dapr/config";

    private static readonly HashSet<string> RequestHeadersNotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "TE", "Trailer",
        "Proxy-Connection", "Proxy-Authorization", "Expect", AppChannelClient.ApiTokenHeader,
    };

    public bool HasApp => app.BaseAddress is not null;

    /// <summary>The app's actor configuration, or null when it answers 404 (it hosts no actors).</summary>
    /// <exception cref="HttpRequestException">The app could not be reached or answered another error.</exception>
    public async Task<byte[]?> GetConfigAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ConfigPath, UriKind.Relative));
        using var response = await app.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /{ConfigPath} answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Calls an actor method on the app and reads the whole answer.</summary>
    public async Task<ActorAppResponse> InvokeAsync(string actorType, string actorId, ActorAppRequest call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var path = $"{MethodPath(actorType, actorId, call.Method)}{call.QueryString}";
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(path, UriKind.Relative))
        {
            Content = new ReadOnlyMemoryContent(call.Body),
        };
        if (!string.IsNullOrEmpty(call.ContentType) && MediaTypeHeaderValue.TryParse(call.ContentType, out var contentType))
        {
            request.Content.Headers.ContentType = contentType;
        }

        foreach (var (name, value) in call.Headers)
        {
            if (!RequestHeadersNotForwarded.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers)
        {
            headers.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v)));
        }

        foreach (var (name, values) in response.Content.Headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            headers.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v)));
        }

        return new ActorAppResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), headers, body);
    }

    /// <summary>Tells the app an actor was deactivated; returns the app's status.</summary>
    public async Task<(int Status, string Body)> DeactivateAsync(string actorType, string actorId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri($"actors/{Escape(actorType)}/{Escape(actorId)}", UriKind.Relative));
        using var response = await SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The app path of an actor method, as daprd builds it (<c>actors/{type}/{id}/method/{method}</c>).</summary>
    public static string MethodPath(string actorType, string actorId, string method) =>
        $"actors/{Escape(actorType)}/{Escape(actorId)}/method/{string.Join('/', method.Split('/').Select(Escape))}";

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await app.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            // Go's HTTP client names the failed request the same way: Put "http://...": reason.
            var verb = request.Method.Method;
            throw new HttpRequestException($"{char.ToUpperInvariant(verb[0])}{verb[1..].ToLowerInvariant()} \"{request.RequestUri}\": {e.Message}", e);
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}

/// <summary>
/// The trace context an actor call carries to the app: the sidecar's own span for the call when it has one (the API
/// span of <see cref="Http.ApiTracingMiddleware"/>), else a child of the caller's, or a new one.
/// </summary>
internal static class ActorTrace
{
    public static IEnumerable<KeyValuePair<string, string>> Headers(TraceContext? parent)
    {
        var trace = Activity.Current is { } current && current.Source == TraceContext.Source
            ? TraceContext.FromActivity(current)
            : parent?.NewChild() ?? TraceContext.NewRoot();
        yield return new(TraceContext.TraceParentHeader, trace.TraceParent);
        if (!string.IsNullOrEmpty(trace.TraceState))
        {
            yield return new(TraceContext.TraceStateHeader, trace.TraceState);
        }
    }
}
