using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using BindingEventConcurrency = Dapr.AppCallback.Autogen.Grpc.v1.BindingEventResponse.Types.BindingEventConcurrency;

namespace DaprShop.Sidecar.Bindings;

/// <summary>
/// Input bindings, as daprd runs them (dapr/dapr <c>pkg/runtime/processor/binding/send.go</c>). Once the app is up
/// (and, with app health checks, healthy) each input binding the app takes is read: one whose <c>direction</c>
/// metadata includes <c>input</c> always; otherwise an app served over HTTP takes it when <c>OPTIONS /{route}</c>
/// answers 2xx or 405, and one served over gRPC when <c>ListInputBindings</c> names it. The route is the component's
/// <c>route</c> metadata, else its name. Each event goes to the app under the binding's inbound resiliency policy: over
/// HTTP as <c>POST /{route}</c> with the data as an <c>application/json</c> body and the event's metadata as headers
/// (an answer other than 200 is a failed attempt; one outside 2xx fails the event); over gRPC as
/// <c>AppCallback.OnBindingEvent</c>, whose <c>to</c> output bindings then get the app's data with operation
/// <c>create</c>, one after another or, with concurrency PARALLEL, all at once. Reading stops while the app is
/// unhealthy and when the sidecar stops.
/// </summary>
public sealed class InputBindingManager(
    SidecarContext sidecar,
    AppCallbackInvoker appCallback,
    BindingService bindings,
    IResiliencyPolicyProvider resiliency,
    ILoggerFactory loggerFactory) : IAppReadyListener, IAppHealthListener, IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>How long the app has to answer the <c>OPTIONS</c> probe (daprd's default <c>appBindingOptionsTimeout</c>).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger<InputBindingManager>();
    private readonly List<IAsyncDisposable> _readers = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Task> _fanOut = [];
    private List<(ComponentSpec Spec, IInputBinding Binding)> _taken = [];
    private int _disposed;

    /// <summary>The names of the input bindings the app takes.</summary>
    public IReadOnlyList<string> Taken => [.. _taken.Select(t => t.Spec.Name)];

    public Task OnAppReadyAsync(CancellationToken cancellationToken) => StartReadingAsync(cancellationToken);

    /// <summary>
    /// With app health checks, as daprd: reading stops while the app is unhealthy; once it is healthy again the app is
    /// asked anew which bindings it takes, and those are read.
    /// </summary>
    public Task OnAppHealthChangedAsync(bool healthy, CancellationToken cancellationToken) =>
        healthy ? StartReadingAsync(cancellationToken) : StopReadingAsync();

    /// <summary>The input bindings the app takes, asked as daprd asks (a binding whose <c>direction</c> is only <c>output</c> is never read).</summary>
    private async Task<List<(ComponentSpec, IInputBinding)>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var taken = new List<(ComponentSpec, IInputBinding)>();
        if (sidecar.App.BaseAddress is null)
        {
            return taken;
        }

        IReadOnlyList<string>? grpcList = null;
        foreach (var (spec, binding) in sidecar.Components.OfType<IInputBinding>())
        {
            if (HasDirection(spec) && !ExplicitlyInput(spec))
            {
                continue;
            }

            if (ExplicitlyInput(spec))
            {
                taken.Add((spec, binding));
                continue;
            }

            try
            {
                if (sidecar.Options.AppServesGrpc)
                {
                    grpcList ??= await appCallback.ListInputBindingsAsync(cancellationToken);
                    if (grpcList.Contains(spec.Name, StringComparer.Ordinal))
                    {
                        taken.Add((spec, binding));
                        continue;
                    }
                }
                else if (await AnswersOptionsAsync(spec, cancellationToken))
                {
                    taken.Add((spec, binding));
                    continue;
                }

                _logger.LogInformation("App {AppId} has not subscribed to binding {Name}", sidecar.AppId, spec.Name);
            }
            catch (Exception e) when (e is HttpRequestException or global::Grpc.Core.RpcException or TimeoutException)
            {
                _logger.LogWarning("Failed to read from binding {Name}: could not ask app {AppId} whether it takes it: {Problem}", spec.Name, sidecar.AppId, e.Message);
            }
        }

        return taken;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => StopReadingAsync();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The container hands this one instance out under three service types, and disposes it for each.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopReadingAsync();
        Task[] fanOut;
        lock (_fanOut)
        {
            fanOut = [.. _fanOut];
        }

        await Task.WhenAll(fanOut);
        _gate.Dispose();
    }

    private static bool HasDirection(ComponentSpec spec) =>
        spec.Metadata.Values.Any(m => string.Equals(m.Key, "direction", StringComparison.OrdinalIgnoreCase));

    private static bool ExplicitlyInput(ComponentSpec spec) =>
        spec.Metadata.Values.Any(m => string.Equals(m.Key, "direction", StringComparison.OrdinalIgnoreCase)
            && m.Value.Split(',').Any(d => string.Equals(d.Trim(), "input", StringComparison.OrdinalIgnoreCase)));

    private static string RouteOf(ComponentSpec spec) =>
        "/" + (spec.Metadata.Values.FirstOrDefault(m => string.Equals(m.Key, "route", StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } route
            ? route.TrimStart('/')
            : spec.Name);

    private async Task<bool> AnswersOptionsAsync(ComponentSpec spec, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout, sidecar.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Options, AppUri(RouteOf(spec)));
        try
        {
            using var response = await sidecar.App.SendAsync(request, linked.Token);
            return (int)response.StatusCode / 100 == 2 || response.StatusCode == HttpStatusCode.MethodNotAllowed;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"OPTIONS {RouteOf(spec)} took longer than {ProbeTimeout.TotalSeconds} s");
        }
    }

    private async Task StartReadingAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_readers.Count > 0)
            {
                return;
            }

            _taken = await DiscoverAsync(cancellationToken);
            foreach (var (spec, binding) in _taken)
            {
                _readers.Add(await binding.ReadAsync((e, ct) => DeliverAsync(spec, e, ct), cancellationToken));
                _logger.LogInformation("App {AppId} reads from input binding {Name} ({Type})", sidecar.AppId, spec.Name, spec.Type);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StopReadingAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var reader in _readers)
            {
                await reader.DisposeAsync();
            }

            _readers.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DeliverAsync(ComponentSpec spec, InputBindingEvent bindingEvent, CancellationToken cancellationToken)
    {
        var parent = TraceContext.Parse(bindingEvent.Metadata.GetValueOrDefault(TraceContext.TraceParentHeader), bindingEvent.Metadata.GetValueOrDefault(TraceContext.TraceStateHeader));
        var (activity, trace) = TraceContext.StartSpan($"bindings/{spec.Name}", ActivityKind.Consumer, parent);
        using (activity)
        {
            try
            {
                if (sidecar.Options.AppServesGrpc)
                {
                    await DeliverOverGrpcAsync(spec, bindingEvent, trace, cancellationToken);
                }
                else
                {
                    await DeliverOverHttpAsync(spec, bindingEvent, trace, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                _logger.LogWarning("Event of input binding {Name} not taken by app {AppId}: {Problem}", spec.Name, sidecar.AppId, e.Message);
                throw;
            }
        }
    }

    private async Task DeliverOverHttpAsync(ComponentSpec spec, InputBindingEvent bindingEvent, TraceContext trace, CancellationToken cancellationToken)
    {
        var route = RouteOf(spec);
        var policy = resiliency.ForComponentInbound(spec.Name, ComponentKind.Binding);
        using var response = await policy.ExecuteAsync(
            async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, AppUri(route));
                request.Content = new ReadOnlyMemoryContent(bindingEvent.Data);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var (key, value) in bindingEvent.Metadata)
                {
                    request.Headers.TryAddWithoutValidation(key, value);
                }

                request.Headers.Remove(TraceContext.TraceParentHeader);
                request.Headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, trace.TraceParent);
                return await sidecar.App.SendAsync(request, ct);
            },
            r => r.StatusCode == HttpStatusCode.OK ? AttemptVerdict.Success : AttemptVerdict.Failure((int)r.StatusCode),
            r => r.Dispose(),
            cancellationToken);
        var status = (int)response.StatusCode;
        if (status is < 200 or > 299)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"fails to send binding event to http app channel, status code: {status} body: {body}");
        }
    }

    private async Task DeliverOverGrpcAsync(ComponentSpec spec, InputBindingEvent bindingEvent, TraceContext trace, CancellationToken cancellationToken)
    {
        var policy = resiliency.ForComponentInbound(spec.Name, ComponentKind.Binding);
        var answer = await policy.ExecuteAsync(ct => appCallback.OnBindingEventAsync(spec.Name, bindingEvent, trace, ct), cancellationToken);
        if (answer.To.Count == 0)
        {
            return;
        }

        // daprd reads the app's data as JSON and writes it again for the output bindings (anything else becomes null).
        var request = new BindingRequest("create", System.Text.Encoding.UTF8.GetBytes(ReencodeJson(answer.Data.Span)), new Dictionary<string, string>());
        if (answer.Concurrency == BindingEventConcurrency.Parallel)
        {
            lock (_fanOut)
            {
                _fanOut.RemoveAll(t => t.IsCompleted);
                _fanOut.AddRange(answer.To.Select(to => SendToOutputAsync(to, request)));
            }

            return;
        }

        try
        {
            foreach (var to in answer.To)
            {
                await bindings.InvokeAsync(to, request, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // daprd logs the failed app response and still counts the event as taken.
            _logger.LogError("error executing app response: {Problem}", e.Message);
        }
    }

    private static string ReencodeJson(ReadOnlySpan<byte> data)
    {
        try
        {
            return data.IsEmpty ? "null" : GoJson.Marshal(System.Text.Json.Nodes.JsonNode.Parse(data));
        }
        catch (System.Text.Json.JsonException)
        {
            return "null";
        }
    }

    private async Task SendToOutputAsync(string name, BindingRequest request)
    {
        try
        {
            await bindings.InvokeAsync(name, request, CancellationToken.None);
        }
        catch (Exception e)
        {
            _logger.LogError("{Problem}", e.Message);
        }
    }

    private Uri AppUri(string route) => new(sidecar.App.BaseAddress!.GetLeftPart(UriPartial.Authority) + route);
}
