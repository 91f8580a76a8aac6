using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>One request a test app received, as it arrived.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The requests a test app received, for assertions; waits with a deadline.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> All => [.. _requests];

    public IReadOnlyList<RecordedRequest> To(string path) => [.. _requests.Where(r => r.Path == path)];

    public async Task<RecordedRequest> RecordAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(http.Request.Method, http.Request.Path.Value ?? "/", http.Request.QueryString.Value ?? string.Empty, headers, body.ToArray());
        _requests.Enqueue(recorded);
        return recorded;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests went to <paramref name="path"/>.</summary>
    public Task<IReadOnlyList<RecordedRequest>> WaitForAsync(string path, int count = 1, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(
            () => Task.FromResult(To(path)),
            requests => requests.Count >= count,
            timeout ?? TimeSpan.FromSeconds(10),
            $"{count} request(s) to {path}");
}
