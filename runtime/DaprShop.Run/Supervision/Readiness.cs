using System.Globalization;
using DaprShop.Run.Logging;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Supervision;

/// <summary>
/// Waits until every app of the run is up: its sidecar answers <c>GET /v1.0/healthz</c> with 2xx
/// and has finished initialising with the app (subscriptions read), and the app answers its
/// health path (<c>GET /healthz</c> unless the run file says otherwise) on its own port. Says
/// every few seconds which apps it is still waiting for.
/// </summary>
internal sealed class Readiness(PrefixedConsole console, HttpClient http)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    /// <summary>Null once everything is ready, else why not (a timeout or a sidecar that failed).</summary>
    public async Task<string?> WaitAsync(IReadOnlyList<RunningApp> apps, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var states = apps.ToDictionary(a => a.Name, _ => new State(), StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        var nextReport = started + ReportInterval;
        while (true)
        {
            foreach (var app in apps)
            {
                var state = states[app.Name];
                state.Sidecar = state.Sidecar || await IsHealthyAsync(new Uri(app.Sidecar.HttpEndpoint, "/v1.0/healthz"), cancellationToken);
                state.App = state.App || app.HealthUrl is null || await IsHealthyAsync(app.HealthUrl, cancellationToken);
                if (app.Sidecar.AppReady is { IsFaulted: true } failed)
                {
                    return $"the sidecar of {app.Name} could not initialise with its app: {failed.Exception.GetBaseException().Message}";
                }

                state.Initialised = app.Sidecar.AppReady.IsCompletedSuccessfully;
            }

            var waiting = apps.Where(a => !states[a.Name].Ready).ToList();
            if (waiting.Count == 0)
            {
                return null;
            }

            var now = DateTime.UtcNow;
            if (now - started > timeout)
            {
                return $"not ready after {timeout.TotalSeconds:0}s: {Describe(waiting, states)}";
            }

            if (now >= nextReport)
            {
                console.Info($"Waiting for {Describe(waiting, states)} ({(now - started).TotalSeconds:0}s)");
                nextReport = now + ReportInterval;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static string Describe(IEnumerable<RunningApp> waiting, Dictionary<string, State> states) =>
        string.Join("; ", waiting.Select(app =>
        {
            var state = states[app.Name];
            var parts = new List<string>();
            if (!state.App)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"app GET {app.HealthUrl?.PathAndQuery} on port {app.HealthUrl?.Port}"));
            }

            if (!state.Sidecar || !state.Initialised)
            {
                parts.Add("sidecar");
            }

            return $"{app.Name} ({string.Join(", ", parts)})";
        }));

    private async Task<bool> IsHealthyAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The per-request timeout: the app is not answering yet.
            return false;
        }
    }

    private sealed class State
    {
        public bool Sidecar { get; set; }

        public bool App { get; set; }

        public bool Initialised { get; set; }

        public bool Ready => Sidecar && App && Initialised;
    }
}
