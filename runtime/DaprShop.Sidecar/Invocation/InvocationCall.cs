namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// One service invocation as the caller's sidecar sends it to the target app, handed to an
/// <see cref="IInvocationPolicy"/>. <see cref="SendAsync"/> is one attempt: it resolves the
/// target's sidecar, which applies its access control and forwards to its app, and returns the
/// app's response with its body still streaming. A failure of the sidecars (unknown app, app down,
/// access denied) is an <see cref="InvocationException"/>; any status the app answers is a response.
/// </summary>
public sealed class InvocationCall
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _send;
    private byte[]? _replayBody;
    private bool _sent;

    internal InvocationCall(
        string targetAppId,
        string method,
        HttpRequestMessage request,
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send)
    {
        TargetAppId = targetAppId;
        Method = method;
        Request = request;
        _send = send;
    }

    /// <summary>The app id being called (the key for per-app policies).</summary>
    public string TargetAppId { get; }

    /// <summary>The invoked method: the path after <c>/method/</c>, such as <c>orders/42</c>.</summary>
    public string Method { get; }

    /// <summary>The request as it goes to the target app (verb, path, query, headers, body).</summary>
    public HttpRequestMessage Request { get; }

    /// <summary>
    /// Whether the body streams without a declared length (chunked). daprd never retries such a
    /// request, because its body cannot be read twice without buffering all of it.
    /// </summary>
    public bool HasStreamingBody => Request.Content is { } content && content.Headers.ContentLength is null;

    /// <summary>Whether <see cref="SendAsync"/> may be called more than once (after <see cref="EnableReplayAsync"/>).</summary>
    public bool CanReplay => _replayBody is not null || Request.Content is null;

    /// <summary>Buffers the request body so that <see cref="SendAsync"/> can be retried. Call it before the first attempt.</summary>
    public async Task EnableReplayAsync(CancellationToken cancellationToken)
    {
        if (_sent)
        {
            throw new InvalidOperationException("Replay must be enabled before the first attempt.");
        }

        if (Request.Content is { } content && _replayBody is null)
        {
            _replayBody = await content.ReadAsByteArrayAsync(cancellationToken);
        }
    }

    /// <summary>One attempt: sends the request to the target app and returns its response.</summary>
    public Task<HttpResponseMessage> SendAsync(CancellationToken cancellationToken)
    {
        if (_sent && !CanReplay)
        {
            throw new InvalidOperationException($"The request to '{TargetAppId}' was already sent; call EnableReplayAsync before the first attempt to retry it.");
        }

        var request = _sent || _replayBody is not null ? CopyRequest() : Request;
        _sent = true;
        return _send(request, cancellationToken);
    }

    private HttpRequestMessage CopyRequest()
    {
        var copy = new HttpRequestMessage(Request.Method, Request.RequestUri)
        {
            Version = Request.Version,
            VersionPolicy = Request.VersionPolicy,
        };
        foreach (var header in Request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (Request.Content is { } content && _replayBody is not null)
        {
            copy.Content = new ByteArrayContent(_replayBody);
            foreach (var header in content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
