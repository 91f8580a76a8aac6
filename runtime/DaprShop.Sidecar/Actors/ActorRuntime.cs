using System.Collections.Concurrent;
using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Metadata;
using DaprShop.Sidecar.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProtoActorRuntime = Dapr.Client.Autogen.Grpc.v1.ActorRuntime;

namespace DaprShop.Sidecar.Actors;

/// <summary>What came of a reminder or timer callback.</summary>
public enum ActorCallbackOutcome
{
    Succeeded,

    /// <summary>The app answered with a truthy <c>X-DaprReminderCancel</c> header: stop the reminder or timer.</summary>
    Cancelled,

    Failed,

    /// <summary>The placement moved the actor to another instance; the callback belongs there now.</summary>
    Moved,
}

/// <summary>
/// The actor a call was routed to belongs to another instance under the placement table now in force (a host joined or
/// left while the call was on its way); the caller looks the actor up again.
/// </summary>
public sealed class ActorMovedException(string actorType, string actorId)
    : Exception($"actor {actorType}/{actorId} moved to another instance");

/// <summary>
/// The actor runtime of one sidecar, as daprd's <c>pkg/actors</c> runs it: once the app is up it
/// reads <c>GET /dapr/config</c>, makes this instance a host of the app's actor types in the run's
/// <see cref="ActorPlacement"/> (only with exactly one state store marked
/// <c>actorStateStore: "true"</c>; without one, hosting is off but this sidecar still invokes actors
/// hosted elsewhere), keeps one activation per actor id it owns under the placement (deactivating
/// those a new placement table moves elsewhere), gives each actor one turn at a time
/// (calls, reminders and timers alike), deactivates actors idle longer than
/// <c>actorIdleTimeout</c> (looked for every <c>actorScanInterval</c>) with
/// <c>DELETE /actors/{type}/{id}</c>, and owns the actors' state, reminders and timers.
/// </summary>
public sealed class ActorRuntime : IAppReadyListener, IAppHealthListener, IMetadataContributor, IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>The header that carries a reentrant call chain (daprd <c>pkg/actors/targets/app/lock/lock.go</c>).</summary>
    public const string ReentrancyIdHeader = "Dapr-Reentrancy-Id";

    private static readonly TimeSpan[] ConfigRetryDelays = [TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(1)];

    private readonly SidecarContext _sidecar;
    private readonly ActorAppChannel _app;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Type, string Id), ActiveActor> _actors = new();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly (string Name, IStateStore Store)? _stateStore;
    private readonly IReadOnlyList<ComponentSpec> _actorStoreSpecs;
    private HashSet<string> _hostedTypes = new(StringComparer.Ordinal);
    private ActorHostConfig? _config;
    private ActorScheduler? _scheduler;
    private ActorReminders? _reminders;
    private ActorTimers? _timers;
    private Task _idleScan = Task.CompletedTask;
    private int _stopped;

    public ActorRuntime(SidecarContext sidecar, StateService state, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _sidecar = sidecar;
        _time = sidecar.Time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger($"daprd.{sidecar.AppId}.actors");
        _app = new ActorAppChannel(sidecar.App);
        Placement = sidecar.Cluster.GetOrAddShared("actors", () => new ActorPlacement(loggerFactory));
        var actorStores = state.Stores.Values.Where(s => s.Settings.ActorStateStore).ToList();
        _actorStoreSpecs = [.. actorStores.Select(s => sidecar.Components.GetSpec(s.Name)).OfType<ComponentSpec>()];
        if (actorStores.Count == 1)
        {
            _stateStore = (actorStores[0].Name, actorStores[0].Store);
        }
    }

    public string AppId => _sidecar.AppId;

    /// <summary>The run's placement table.</summary>
    public ActorPlacement Placement { get; }

    /// <summary>The sidecar's clock: idle scans, reminders, timers, retries and drains are timed with it.</summary>
    public TimeProvider Time => _time;

    /// <summary>Whether this sidecar has its actor state store (and so can host actors and keep their state).</summary>
    public bool HasStateStore => _stateStore is not null;

    /// <summary>Whether this sidecar hosts <paramref name="actorType"/>.</summary>
    public bool Hosts(string actorType) => Volatile.Read(ref _hostedTypes).Contains(actorType);

    /// <summary>The actors active here now, for tests and diagnostics.</summary>
    public int ActiveCount(string actorType) => _actors.Values.Count(a => a.ActorType == actorType && !a.IsClosing);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_actorStoreSpecs.Count > 1)
        {
            // daprd stops at start-up with "detected duplicate actor state store: a and b" (the
            // message its integration suite expects, tests/integration/suite/daprd).
            var second = _actorStoreSpecs[1];
            throw new ResourceLoadException(
                second.SourceFile,
                $"component '{second.Name}' spec.metadata.actorStateStore",
                $"detected duplicate actor state store: {_actorStoreSpecs[0].Name} and {second.Name}");
        }

        // An app that never comes up hosts nothing; callers waiting for registration go on.
        _ = _sidecar.App.Ready.ContinueWith(
            t => _registered.TrySetResult(),
            CancellationToken.None,
            TaskContinuationOptions.NotOnRanToCompletion,
            TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task OnAppReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            // An app served over gRPC hosts actors only over daprd's actor stream (SubscribeActorEventsAlpha1), which
            // this runtime does not implement: it hosts none here.
            if (!_sidecar.Options.AppServesGrpc)
            {
                await RegisterHostedTypesAsync(cancellationToken);
            }
        }
        finally
        {
            _registered.TrySetResult();
        }
    }

    /// <summary>
    /// With app health checks, as daprd: while the app is unhealthy this instance leaves the placement (the other
    /// instances take over its actors and reminders), and it joins again once the app is healthy.
    /// </summary>
    public async Task OnAppHealthChangedAsync(bool healthy, CancellationToken cancellationToken)
    {
        if (_config is not { } config || _stopping.IsCancellationRequested)
        {
            return;
        }

        if (!healthy)
        {
            Placement.Unregister(this);
            _logger.LogInformation("App {AppId} is unhealthy: its actor types {ActorTypes} leave the placement", AppId, config.Entities);
            return;
        }

        var table = Placement.Register(this, PlacementAddress, config.Entities);
        _logger.LogInformation("App {AppId} is healthy again: it hosts actor types {ActorTypes}", AppId, config.Entities);
        await table.Settled.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await StopCoreAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The sidecar is stopping: this instance leaves the placement at once, before its servers drain their requests, so
    /// that the other instances take over its actors and reminders without waiting for it.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Placement.Unregister(this);

        // While the servers still answer, so that the turns under way can end and this instance's actors are
        // deactivated before their new owners activate them (bounded by the host's stop timeout).
        try
        {
            await Placement.Table.Settled.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Stopping before the other instances took over this one's actors");
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await StopCoreAsync();
        _reminders?.Dispose();
        _stopping.Dispose();
    }

    public void Contribute(GetMetadataResponse metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!HasStateStore)
        {
            // daprd with a placement address reports RUNNING even when it cannot host; here a
            // sidecar without an actor state store keeps the DISABLED default.
            return;
        }

        var ready = _registered.Task.IsCompletedSuccessfully;
        var runtime = new ProtoActorRuntime
        {
            RuntimeStatus = ready ? ProtoActorRuntime.Types.ActorRuntimeStatus.Running : ProtoActorRuntime.Types.ActorRuntimeStatus.Initializing,
            HostReady = ready,
            Placement = ready ? "placement: connected" : string.Empty,
        };
        foreach (var actorType in Volatile.Read(ref _hostedTypes).Order(StringComparer.Ordinal))
        {
            runtime.ActiveActors.Add(new ActiveActorsCount { Type = actorType, Count = ActiveCount(actorType) });
        }

        metadata.ActorRuntime = runtime;
    }

    /// <summary>Waits until this sidecar has read its app's actor types (daprd's <c>WaitForRegisteredHosts</c>).</summary>
    public Task WhenRegisteredAsync(CancellationToken cancellationToken) => _registered.Task.WaitAsync(cancellationToken);

    /// <summary>The actor state store, or daprd's <c>ERR_ACTOR_RUNTIME_NOT_FOUND</c>.</summary>
    public (string Name, IStateStore Store) RequireStateStore() => _stateStore ?? throw ActorErrors.RuntimeNotFound();

    /// <summary>
    /// Runs an actor method on this (hosting) sidecar's app in the actor's turn and returns the app's
    /// answer as daprd passes it back: a 200 (with the SDK's error header or not) as it is; a 404
    /// as "actor method not found"; any other status as "error from actor service".
    /// </summary>
    public async Task<ActorAppResponse> InvokeMethodAsync(string actorType, string actorId, ActorAppRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Hosts(actorType))
        {
            throw ActorErrors.NoAddress(actorType, actorId);
        }

        var settings = _config!.For(actorType);
        var headers = request.Headers.ToList();
        string? reentrancyId = null;
        if (settings.Reentrancy.Enabled)
        {
            reentrancyId = headers.FirstOrDefault(h => h.Key.Equals(ReentrancyIdHeader, StringComparison.OrdinalIgnoreCase)).Value;
            if (string.IsNullOrEmpty(reentrancyId))
            {
                reentrancyId = Guid.NewGuid().ToString();
                headers.Add(new(ReentrancyIdHeader, reentrancyId));
            }
        }

        var response = await CallInTurnAsync(actorType, actorId, reentrancyId, request with { Headers = headers }, cancellationToken);
        return response.StatusCode switch
        {
            200 => response,
            404 => throw ActorErrors.Invoke($"actor method not found: {ActorAppChannel.MethodPath(actorType, actorId, request.Method)}"),
            _ => throw ActorErrors.Invoke($"error from actor service: ({response.StatusCode}) {System.Text.Encoding.UTF8.GetString(response.Body)}"),
        };
    }

    /// <summary>Fires a reminder or timer callback (<c>remind/{name}</c> or <c>timer/{name}</c>) in the actor's turn.</summary>
    public async Task<ActorCallbackOutcome> InvokeCallbackAsync(string actorType, string actorId, string method, byte[] body, CancellationToken cancellationToken)
    {
        if (!Hosts(actorType))
        {
            return ActorCallbackOutcome.Failed;
        }

        var settings = _config!.For(actorType);
        var headers = ActorTrace.Headers(null).ToList();
        string? reentrancyId = null;
        if (settings.Reentrancy.Enabled)
        {
            reentrancyId = Guid.NewGuid().ToString();
            headers.Add(new(ReentrancyIdHeader, reentrancyId));
        }

        try
        {
            ActorAppResponse response;
            try
            {
                response = await CallInTurnAsync(actorType, actorId, reentrancyId, new ActorAppRequest(method, body, "application/json", string.Empty, headers), cancellationToken);
            }
            catch (ActorMovedException)
            {
                return ActorCallbackOutcome.Moved;
            }

            if (response.StatusCode != 200 || response.Header(ActorAppResponse.ErrorResponseHeader) is not null)
            {
                _logger.LogWarning(
                    "Actor {ActorType}/{ActorId} answered {StatusCode} to {Method}",
                    actorType,
                    actorId,
                    response.StatusCode,
                    method);
                return ActorCallbackOutcome.Failed;
            }

            return IsTruthy(response.Header(ActorAppResponse.ReminderCancelHeader)) ? ActorCallbackOutcome.Cancelled : ActorCallbackOutcome.Succeeded;
        }
        catch (Exception e) when (e is DaprApiException or HttpRequestException)
        {
            _logger.LogWarning("Actor {ActorType}/{ActorId} could not run {Method}: {Reason}", actorType, actorId, method, e.Message);
            return ActorCallbackOutcome.Failed;
        }
    }

    /// <summary>An actor's state item, under daprd's key <c>{appId}||{type}||{id}||{key}</c>; null when absent.</summary>
    public async Task<StateEntry?> GetStateAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        var (_, store) = RequireStateStore();
        try
        {
            return await store.GetAsync(StateKey(actorType, actorId, key), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ActorErrors.StateGet(e.Message);
        }
    }

    /// <summary>
    /// Applies an actor's state operations in one transaction of the actor state store. As in daprd
    /// (<c>pkg/actors/state/state.go</c>), the actor must be active in this sidecar, and the writes
    /// go to the store directly, not through the state API's interceptors (no outbox).
    /// </summary>
    public async Task ExecuteStateTransactionAsync(string actorType, string actorId, IReadOnlyList<ActorStateOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var (_, store) = RequireStateStore();
        if (!_actors.TryGetValue((actorType, actorId), out var actor) || actor.IsClosing)
        {
            throw ActorErrors.InstanceMissing();
        }

        var stored = new List<StateOperation>(operations.Count);
        foreach (var operation in operations)
        {
            var key = StateKey(actorType, actorId, operation.Key);
            try
            {
                stored.Add(operation.Value is { } value
                    ? new StateUpsert(key, value, operation.ETag, Ttl: StateService.ParseTtl(operation.Metadata)) { IsJson = true, Metadata = operation.Metadata }
                    : new StateDelete(key, operation.ETag));
            }
            catch (FormatException e)
            {
                throw ActorErrors.StateTransactionSave(e.Message);
            }
        }

        if (stored.Count == 0)
        {
            return;
        }

        try
        {
            await store.ExecuteAsync(new StateTransaction(stored, new Dictionary<string, string>(StringComparer.Ordinal)), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ActorErrors.StateTransactionSave(e.Message);
        }
    }

    /// <summary>
    /// The reminders of an actor: those of the instance that owns it under the placement in force, or daprd's errors
    /// when this sidecar cannot keep reminders or does not host the type.
    /// </summary>
    public ActorReminders RemindersFor(string actorType, string actorId)
    {
        RequireStateStore();
        if (!Hosts(actorType) || _reminders is null)
        {
            throw ActorErrors.ReminderNonHosted();
        }

        return Placement.Table.Owner(actorType, actorId) is { _reminders: { } owners } ? owners : _reminders;
    }

    /// <summary>This sidecar's own reminders (its tests and the placement's dissemination).</summary>
    internal ActorReminders? Reminders => _reminders;

    /// <summary>Whether this instance owns the actor under the placement table in force.</summary>
    public bool Owns(string actorType, string actorId) => ReferenceEquals(Placement.Table.Owner(actorType, actorId), this);

    /// <summary>
    /// Phase one of a new placement table: deactivates, each after its running turn (up to the type's
    /// <c>drainOngoingCallTimeout</c>), the actors the table moved to another instance (all of them when this instance
    /// is leaving), and lets go of their reminders once a firing under way has been saved.
    /// </summary>
    internal async Task ReleaseMovedAsync(PlacementTable table)
    {
        var moved = _actors.Values.Where(a => !ReferenceEquals(table.Owner(a.ActorType, a.ActorId), this)).ToList();
        await Task.WhenAll(moved.Select(DrainAsync));
        if (_reminders is { } reminders)
        {
            await reminders.ReleaseMovedAsync(table, type => _config?.For(type).DrainOngoingCallTimeout ?? ActorHostConfig.DefaultDrainOngoingCallTimeout);
        }

        if (moved.Count > 0)
        {
            _logger.LogInformation("Placement table {Version}: deactivated {Moved} actors that moved to another instance", table.Version, moved.Count);
        }
    }

    /// <summary>
    /// Phase two of a new placement table: takes up the stored reminders this instance owns now, reading the store
    /// again after a failure (daprd's built-in initialization policy: 3 retries) before the round settles without them.
    /// </summary>
    internal async Task TakeUpAsync(PlacementTable table)
    {
        if (_reminders is not { } reminders)
        {
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (owned, stored) = await reminders.TakeUpAsync(Volatile.Read(ref _hostedTypes), table, _stopping.Token);
                _logger.LogInformation("Placement table {Version} ({Table}): this instance fires {Owned} of {Stored} stored reminders", table.Version, table, owned, stored);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < ConfigRetryDelays.Length)
            {
                _logger.LogWarning("Taking up the reminders of placement table {Version} failed, retrying: {Reason}", table.Version, e.Message);
                await Task.Delay(ConfigRetryDelays[attempt], _time, _stopping.Token);
            }
        }
    }

    /// <summary>This sidecar's timers.</summary>
    public ActorTimers Timers => _timers ?? throw ActorErrors.RuntimeNotFound();

    /// <summary>Starts (or replaces) a timer, as daprd's timer API does: refused when no actor state store is configured.</summary>
    public void CreateTimer(string actorType, string actorId, string name, TimerRequest request)
    {
        if (!HasStateStore)
        {
            throw ActorErrors.TimerCreate($"can't create timer for actor {actorType}{StateKeyPrefix.Separator}{actorId}: actor type not registered");
        }

        Timers.Create(actorType, actorId, name, request);
    }

    /// <summary>Stops a timer; daprd answers success whether or not the timer existed.</summary>
    public void DeleteTimer(string actorType, string actorId, string name)
    {
        if (HasStateStore && Hosts(actorType))
        {
            Timers.Delete(actorType, actorId, name);
        }
    }

    /// <summary>Whether an actor is active here (its timers die with the activation).</summary>
    public bool IsActive(string actorType, string actorId) =>
        _actors.TryGetValue((actorType, actorId), out var actor) && !actor.IsClosing;

    /// <summary>The stored key of an actor's state item (daprd's <c>constructActorStateKey</c>).</summary>
    public string StateKey(string actorType, string actorId, string key) => string.Join(StateKeyPrefix.Separator, AppId, actorType, actorId, key);

    private async Task RegisterHostedTypesAsync(CancellationToken cancellationToken)
    {
        if (!_app.HasApp)
        {
            return;
        }

        var body = await ReadConfigAsync(cancellationToken);
        if (body is null)
        {
            return;
        }

        ActorHostConfig config;
        try
        {
            config = ActorHostConfig.Parse(body);
        }
        catch (JsonException e)
        {
            _logger.LogError("App {AppId} answered GET /{ConfigPath} with a body that is not actor configuration: {Problem}", AppId, ActorAppChannel.ConfigPath, e.Message);
            return;
        }

        if (config.Entities.Count == 0)
        {
            return;
        }

        if (_stateStore is not { } stateStore)
        {
            _logger.LogWarning(
                "App {AppId} hosts actor types {ActorTypes}, but no state store has actorStateStore: \"true\": actor hosting is disabled",
                AppId,
                config.Entities);
            return;
        }

        _config = config;
        _scheduler = new ActorScheduler(_time, _logger);
        _timers = new ActorTimers(this, _scheduler, _time, _loggerFactory.CreateLogger($"daprd.{AppId}.actors.timers"));
        _reminders = new ActorReminders(this, stateStore.Store, _scheduler, _time, _loggerFactory.CreateLogger($"daprd.{AppId}.actors.reminders"));
        Volatile.Write(ref _hostedTypes, new HashSet<string>(config.Entities, StringComparer.Ordinal));
        _logger.LogInformation("App {AppId} hosts actor types {ActorTypes} (actor state store {StateStore})", AppId, config.Entities, stateStore.Name);

        // The stored reminders this instance owns are taken up as the new table settles.
        var table = Placement.Register(this, PlacementAddress, config.Entities);
        await table.Settled.WaitAsync(cancellationToken);
        _idleScan = Task.Run(() => ScanForIdleActorsAsync(config.ScanInterval, _stopping.Token), CancellationToken.None);
    }

    /// <summary>This instance's address in the placement: its sidecar's instance name.</summary>
    private string PlacementAddress => _sidecar.Cluster.Instances(AppId).FirstOrDefault(s => ReferenceEquals(s.Context, _sidecar))?.InstanceName ?? AppId;

    private async Task<byte[]?> ReadConfigAsync(CancellationToken cancellationToken)
    {
        // daprd retries reading the app's configuration (DaprBuiltInInitializationRetries: 3 retries).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _app.GetConfigAsync(cancellationToken);
            }
            catch (HttpRequestException e) when (attempt < ConfigRetryDelays.Length)
            {
                _logger.LogDebug("Reading the actor configuration of {AppId} failed, retrying: {Reason}", AppId, e.Message);
                await Task.Delay(ConfigRetryDelays[attempt], _time, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                _logger.LogError("App {AppId} could not be asked for its actor configuration: {Reason}", AppId, e.Message);
                return null;
            }
        }
    }

    private async Task<ActorAppResponse> CallInTurnAsync(string actorType, string actorId, string? reentrancyId, ActorAppRequest request, CancellationToken cancellationToken)
    {
        var actor = await EnterAsync(actorType, actorId, reentrancyId, cancellationToken);
        if (!Owns(actorType, actorId))
        {
            // The table changed after the caller looked the actor up. Checked with the turn held and the activation in
            // the table, so a dissemination either sees this activation (and drains it) or this call sees its table.
            LeaveMoved(actor);
            throw new ActorMovedException(actorType, actorId);
        }

        actor.MarkActivated();
        try
        {
            // Not cancelled with the caller: the turn is held until the app has answered, so a
            // caller that gives up never lets the next call overlap the running one.
            return await _app.InvokeAsync(actorType, actorId, request, _stopping.Token);
        }
        catch (HttpRequestException e)
        {
            throw ActorErrors.Invoke(e.Message);
        }
        finally
        {
            actor.Touch();
            actor.Turn.Exit();
        }
    }

    private async Task<ActiveActor> EnterAsync(string actorType, string actorId, string? reentrancyId, CancellationToken cancellationToken)
    {
        var settings = _config!.For(actorType);
        while (true)
        {
            var actor = _actors.GetOrAdd((actorType, actorId), key => new ActiveActor(key.Type, key.Id, settings, _time));
            if (actor.IsClosing)
            {
                await actor.Deactivated.Task.WaitAsync(cancellationToken);
                continue;
            }

            try
            {
                await actor.Turn.EnterAsync(reentrancyId, settings.Reentrancy.MaxStackDepth, cancellationToken);
            }
            catch (ActorClosedException)
            {
                await actor.Deactivated.Task.WaitAsync(cancellationToken);
                continue;
            }

            actor.Touch();
            return actor;
        }
    }

    /// <summary>
    /// Gives up the turn of an actor this instance does not own: an activation the app never saw is dropped here (the
    /// calls waiting for it look the actor up again); one the app has is drained by the dissemination.
    /// </summary>
    private void LeaveMoved(ActiveActor actor)
    {
        if (actor.WasActivated)
        {
            actor.Turn.Exit();
            return;
        }

        actor.MarkClosing();
        _actors.TryRemove(new KeyValuePair<(string, string), ActiveActor>((actor.ActorType, actor.ActorId), actor));
        actor.Deactivated.TrySetResult();
        actor.Turn.Close();
    }

    /// <summary>Deactivates an actor another instance owns now, once its running turn is over.</summary>
    private async Task DrainAsync(ActiveActor actor)
    {
        using var drainTimeout = new CancellationTokenSource(actor.Settings.DrainOngoingCallTimeout, _time);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, drainTimeout.Token);
        try
        {
            await actor.Turn.EnterAsync(null, 1, drain.Token);
        }
        catch (ActorClosedException)
        {
            return;
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            _logger.LogWarning("Actor {ActorType}/{ActorId} moved, but its turn did not end within {Timeout}; deactivating it anyway", actor.ActorType, actor.ActorId, actor.Settings.DrainOngoingCallTimeout);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!actor.IsClosing)
        {
            // The app's answer is awaited no longer than the drain: a hung app must not hold the round for ever.
            using var deactivationTimeout = new CancellationTokenSource(actor.Settings.DrainOngoingCallTimeout, _time);
            using var deactivation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, deactivationTimeout.Token);
            try
            {
                await DeactivateAsync(actor, deactivation.Token);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("Actor {ActorType}/{ActorId} moved; its app did not confirm the deactivation in time", actor.ActorType, actor.ActorId);
            }
        }
    }

    private async Task ScanForIdleActorsAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var actor in _actors.Values)
                {
                    if (!actor.IsClosing && actor.IdleFor >= actor.Settings.IdleTimeout && actor.Turn.TryEnterIdle())
                    {
                        await DeactivateAsync(actor, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Deactivates an actor whose turn the caller holds: its timers go, then the app is told.</summary>
    private async Task DeactivateAsync(ActiveActor actor, CancellationToken cancellationToken)
    {
        actor.MarkClosing();
        _timers?.RemoveActor(actor.ActorType, actor.ActorId);
        try
        {
            var (status, body) = await _app.DeactivateAsync(actor.ActorType, actor.ActorId, cancellationToken);
            if (status != 200)
            {
                _logger.LogWarning("Deactivating actor {ActorType}/{ActorId}: the app answered ({StatusCode}) {Body}", actor.ActorType, actor.ActorId, status, body);
            }
            else
            {
                _logger.LogDebug("Deactivated actor {ActorType}/{ActorId}", actor.ActorType, actor.ActorId);
            }
        }
        catch (HttpRequestException e)
        {
            _logger.LogWarning("Deactivating actor {ActorType}/{ActorId} failed: {Reason}", actor.ActorType, actor.ActorId, e.Message);
        }
        finally
        {
            _actors.TryRemove(new KeyValuePair<(string, string), ActiveActor>((actor.ActorType, actor.ActorId), actor));
            actor.Deactivated.TrySetResult();
            actor.Turn.Close();
        }
    }

    private async Task StopCoreAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        Placement.Unregister(this);
        await _stopping.CancelAsync();
        try
        {
            await _idleScan;
        }
        catch (OperationCanceledException)
        {
            // The scan ends by cancellation.
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
    }

    /// <summary>Go's notion of a truthy header value, as dapr/kit <c>strings.IsTruthy</c> reads it.</summary>
    internal static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}

/// <summary>One operation of an actor state transaction: an upsert when <see cref="Value"/> is set, else a delete.</summary>
public sealed record ActorStateOperation(string Key, byte[]? Value, string? ETag, IReadOnlyDictionary<string, string> Metadata);
