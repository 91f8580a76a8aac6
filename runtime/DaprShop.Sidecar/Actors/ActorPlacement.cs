using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Actors;

/// <summary>
/// The run-wide placement table: which sidecar's <see cref="ActorRuntime"/> hosts each actor type.
/// It stands in for daprd's placement service, which hashes actor ids over every host of a type;
/// here one app hosts a type, so every id of the type goes to it. A second app reporting a type that
/// is already hosted is refused with a warning. Shared by the sidecars of one
/// <see cref="LocalCluster"/> (<see cref="LocalCluster.GetOrAddShared{T}"/>).
/// </summary>
public sealed class ActorPlacement(ILoggerFactory loggerFactory)
{
    /// <summary>
    /// How long a lookup waits for a host of an unknown type before it fails: daprd retries the
    /// lookup under its built-in <c>DaprBuiltInActorNotFoundRetries</c> policy, 5 retries 1 s apart
    /// (dapr/dapr <c>pkg/resiliency/resiliency.go</c>).
    /// </summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, ActorRuntime> _hosts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<ActorPlacement>();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Places <paramref name="actorTypes"/> on <paramref name="host"/>; returns the types it got.</summary>
    public IReadOnlyList<string> Register(ActorRuntime host, IEnumerable<string> actorTypes)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(actorTypes);
        var placed = new List<string>();
        TaskCompletionSource changed;
        lock (_gate)
        {
            foreach (var actorType in actorTypes)
            {
                if (_hosts.TryGetValue(actorType, out var existing) && !ReferenceEquals(existing, host))
                {
                    _logger.LogWarning(
                        "Actor type {ActorType} is already hosted by app {HostAppId}; app {AppId} does not host it",
                        actorType,
                        existing.AppId,
                        host.AppId);
                    continue;
                }

                _hosts[actorType] = host;
                placed.Add(actorType);
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return placed;
    }

    /// <summary>Removes every type <paramref name="host"/> hosts (its sidecar is stopping).</summary>
    public void Unregister(ActorRuntime host)
    {
        lock (_gate)
        {
            foreach (var actorType in _hosts.Where(h => ReferenceEquals(h.Value, host)).Select(h => h.Key).ToList())
            {
                _hosts.Remove(actorType);
            }
        }
    }

    /// <summary>The host of <paramref name="actorType"/>, waiting up to <see cref="LookupTimeout"/> for one to register.</summary>
    public async Task<ActorRuntime?> LookupAsync(string actorType, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_hosts.TryGetValue(actorType, out var host))
                {
                    return host;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>The host of <paramref name="actorType"/> now, without waiting.</summary>
    public ActorRuntime? Find(string actorType)
    {
        lock (_gate)
        {
            return _hosts.GetValueOrDefault(actorType);
        }
    }
}
