using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.State;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Actors;

/// <summary>A reminder registration as the API receives it (<c>PUT .../reminders/{name}</c>).</summary>
public sealed record ReminderRequest(string? DueTime, string? Period, string? Ttl, JsonElement? Data, bool? Overwrite);

/// <summary>A reminder as it is stored in the actor state store, one row per reminder.</summary>
public sealed record StoredReminder(
    [property: JsonPropertyName("actorType")] string ActorType,
    [property: JsonPropertyName("actorID")] string ActorId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("dueTime")] string DueTime,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("registeredTime")] DateTimeOffset NextDue,
    [property: JsonPropertyName("expirationTime")] DateTimeOffset? Expiration,
    [property: JsonPropertyName("repetitionsLeft")] int RepetitionsLeft,
    [property: JsonPropertyName("traceparent")] string? TraceParent = null);

/// <summary>
/// The reminders of the actor types one sidecar hosts. Each is a row of the actor state store
/// under <c>daprshop-reminders||{type}||{id}||{name}</c>, loaded when the hosting app's types are
/// registered, so reminders survive a restart of the app and its sidecar; one
/// <see cref="ActorScheduler"/> fires them as <c>PUT actors/{type}/{id}/method/remind/{name}</c> in
/// the actor's turn, activating the actor when needed. A failed call is retried three times one
/// second apart, daprd's default failure policy (docs.dapr.io "Actors timers and reminders"); a
/// truthy <c>X-DaprReminderCancel</c> answer deletes the reminder (dapr/dapr
/// <c>pkg/actors/targets/app/app.go</c>). Registering a name again replaces the reminder unless
/// <c>overwrite</c> is false (then 409), as daprd 1.18 does.
/// </summary>
/// <remarks>
/// daprd 1.18 keeps reminders in its Scheduler service, and earlier versions kept one list per
/// actor type in the state store; a row per reminder keeps registering one O(1) here.
/// <c>remindersStoragePartitions</c> has no effect and <c>failurePolicy</c> is not read.
/// </remarks>
public sealed class ActorReminders : IDisposable
{
    public const string KeyPrefix = "daprshop-reminders";

    /// <summary>daprd's default reminder failure policy: 3 retries, 1 s apart.</summary>
    public const int MaxRetries = 3;

    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ActorRuntime _runtime;
    private readonly IStateStore _store;
    private readonly ActorScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    /// <summary>How many locks the reminders' keys are spread over.</summary>
    private const int Stripes = 64;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// Operations on one reminder run one at a time (each holds its key's stripe across its durable write); reminders
    /// of different keys proceed in parallel. One lock for all of them made every registration of every actor wait for
    /// the previous one's write: measured on the orders bench, the two reminder calls an order makes cost more than a
    /// quarter of its throughput.
    /// </summary>
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];
    private long _version;

    public ActorReminders(ActorRuntime runtime, IStateStore store, ActorScheduler scheduler, TimeProvider time, ILogger logger)
    {
        _runtime = runtime;
        _store = store;
        _scheduler = scheduler;
        _time = time;
        _logger = logger;
    }

    /// <summary>Loads and schedules the stored reminders of <paramref name="actorTypes"/>.</summary>
    public async Task LoadAsync(IEnumerable<string> actorTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actorTypes);
        if (_store is not IStateKeyQuery query)
        {
            _logger.LogWarning("The actor state store cannot list its rows: stored reminders are not loaded");
            return;
        }

        foreach (var actorType in actorTypes)
        {
            var rows = await query.QueryByPrefixAsync($"{KeyPrefix}{StateKeyPrefix.Separator}{actorType}{StateKeyPrefix.Separator}", cancellationToken);
            foreach (var (storedKey, entry) in rows)
            {
                StoredReminder? reminder;
                try
                {
                    reminder = JsonSerializer.Deserialize<StoredReminder>(entry.Value.Span, Json);
                }
                catch (JsonException e)
                {
                    _logger.LogError("Stored reminder {Key} is not readable and is skipped: {Problem}", storedKey, e.Message);
                    continue;
                }

                if (reminder is not null)
                {
                    var key = ReminderKey(reminder.ActorType, reminder.ActorId, reminder.Name);
                    var gate = StripeFor(key);
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        // One registered meanwhile (the app is already up) is newer than the row read here.
                        if (!_entries.ContainsKey(key))
                        {
                            Track(reminder);
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }

            _logger.LogInformation("Loaded {Count} reminders of actor type {ActorType}", _entries.Values.Count(e => e.Reminder.ActorType == actorType), actorType);
        }
    }

    /// <summary>Registers (or replaces) a reminder and stores it before answering.</summary>
    public async Task CreateAsync(string actorType, string actorId, string name, ReminderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ReminderKey(actorType, actorId, name);
        ActorSchedule schedule;
        try
        {
            schedule = ActorSchedule.Parse("reminder", string.Join(StateKeyPrefix.Separator, actorType, actorId, name), request.DueTime, request.Period, request.Ttl, _time.GetUtcNow());
        }
        catch (FormatException e)
        {
            throw ActorErrors.ReminderCreate(e.Message);
        }

        var reminder = new StoredReminder(
            actorType,
            actorId,
            name,
            request.Data,
            request.DueTime ?? string.Empty,
            request.Period ?? string.Empty,
            schedule.FirstDue,
            schedule.Expiration,
            schedule.Period.Repetitions,
            RegisteringTrace());
        var gate = StripeFor(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (request.Overwrite == false && _entries.ContainsKey(key))
            {
                throw ActorErrors.ReminderAlreadyExists(name);
            }

            try
            {
                await SaveAsync(reminder, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw ActorErrors.ReminderCreate(e.Message);
            }

            Track(reminder);
        }
        finally
        {
            gate.Release();
        }

        _logger.LogDebug("Reminder {Reminder} of actor {ActorType}/{ActorId} due at {Due}", name, actorType, actorId, schedule.FirstDue);
    }

    /// <summary>The reminder, or null when there is none.</summary>
    public Task<StoredReminder?> GetAsync(string actorType, string actorId, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_entries.TryGetValue(ReminderKey(actorType, actorId, name), out var entry) ? entry.Reminder : null);

    /// <summary>Deletes a reminder; deleting one that does not exist is not an error.</summary>
    public async Task DeleteAsync(string actorType, string actorId, string name, CancellationToken cancellationToken)
    {
        var key = ReminderKey(actorType, actorId, name);
        var gate = StripeFor(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            await RemoveAsync(key, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ActorErrors.ReminderDelete(e.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private SemaphoreSlim StripeFor(string key) => _stripes[(uint)StringComparer.Ordinal.GetHashCode(key) % Stripes];

    private static string ReminderKey(string actorType, string actorId, string name) =>
        string.Join(StateKeyPrefix.Separator, KeyPrefix, actorType, actorId, name);

    private void Track(StoredReminder reminder)
    {
        var key = ReminderKey(reminder.ActorType, reminder.ActorId, reminder.Name);
        var version = Interlocked.Increment(ref _version);
        _entries[key] = new Entry(reminder, version);
        _scheduler.Schedule(key, reminder.NextDue, ct => FireAsync(key, version, ct));
    }

    private Task SaveAsync(StoredReminder reminder, CancellationToken cancellationToken) =>
        _store.ExecuteAsync(
            StateTransaction.Of(new StateUpsert(ReminderKey(reminder.ActorType, reminder.ActorId, reminder.Name), JsonSerializer.SerializeToUtf8Bytes(reminder, Json))),
            cancellationToken);

    private async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        _entries.TryRemove(key, out _);
        _scheduler.Cancel(key);
        await _store.ExecuteAsync(StateTransaction.Of(new StateDelete(key)), cancellationToken);
    }

    private async Task FireAsync(string key, long version, CancellationToken cancellationToken)
    {
        StoredReminder reminder;
        var gate = StripeFor(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Version != version)
            {
                return;
            }

            reminder = entry.Reminder;
            if (reminder.Expiration is { } expiration && reminder.NextDue >= expiration)
            {
                await RemoveAsync(key, cancellationToken);
                return;
            }
        }
        finally
        {
            gate.Release();
        }

        var outcome = await InvokeWithRetriesAsync(key, version, reminder, cancellationToken);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Version != version)
            {
                // Deleted or replaced while it ran (often by the actor itself).
                return;
            }

            var repetitionsLeft = reminder.RepetitionsLeft;
            var next = outcome == ActorCallbackOutcome.Cancelled
                ? null
                : ActorSchedule.Next(ActorTimeFormats.ParsePeriod(reminder.Period), reminder.Expiration, reminder.NextDue, _time.GetUtcNow(), ref repetitionsLeft);
            if (next is not { } nextDue)
            {
                await RemoveAsync(key, cancellationToken);
                return;
            }

            var updated = reminder with { NextDue = nextDue, RepetitionsLeft = repetitionsLeft };
            await SaveAsync(updated, cancellationToken);
            _entries[key] = entry with { Reminder = updated };
            _scheduler.Schedule(key, nextDue, ct => FireAsync(key, version, ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Reminder {Key} could not be rescheduled", key);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The trace the reminder was registered in (the sidecar's span for the registering call), kept with it so that its
    /// firings, each a trace of its own, link back to it.
    /// </summary>
    private static string? RegisteringTrace() =>
        Activity.Current is { } current && current.Source == TraceContext.Source ? TraceContext.FromActivity(current).TraceParent : null;

    /// <summary>
    /// A firing's span: the root of a new trace, as in daprd (<c>CallActor/{type}/remind/{name}</c>), linked to the trace
    /// the reminder was registered in; the callback to the app runs under it.
    /// </summary>
    private static Activity? StartFiringSpan(StoredReminder reminder)
    {
        var links = TraceContext.Parse(reminder.TraceParent, null) is { } registered
            ? new[] { new ActivityLink(registered.ToActivityContext()) }
            : null;
        Activity.Current = null;
        var activity = TraceContext.Source.StartActivity($"CallActor/{reminder.ActorType}/remind/{reminder.Name}", ActivityKind.Internal, default(ActivityContext), links: links);
        activity?.SetTag("dapr.actor", $"{reminder.ActorType}.{reminder.ActorId}");
        return activity;
    }

    private async Task<ActorCallbackOutcome> InvokeWithRetriesAsync(string key, long version, StoredReminder reminder, CancellationToken cancellationToken)
    {
        using var span = StartFiringSpan(reminder);
        var body = ActorSchedule.ReminderBody(reminder.Data, reminder.DueTime, reminder.Period);
        for (var attempt = 0; ; attempt++)
        {
            var outcome = await _runtime.InvokeCallbackAsync(reminder.ActorType, reminder.ActorId, $"remind/{reminder.Name}", body, cancellationToken);
            if (outcome != ActorCallbackOutcome.Failed || attempt >= MaxRetries || !await IsCurrentAsync(key, version, cancellationToken))
            {
                if (outcome == ActorCallbackOutcome.Failed)
                {
                    _logger.LogError("Reminder {Reminder} of actor {ActorType}/{ActorId} failed after {Attempts} attempts", reminder.Name, reminder.ActorType, reminder.ActorId, attempt + 1);
                }

                return outcome;
            }

            await Task.Delay(RetryInterval, _time, cancellationToken);
        }
    }

    private Task<bool> IsCurrentAsync(string key, long version, CancellationToken cancellationToken) =>
        Task.FromResult(!cancellationToken.IsCancellationRequested && _entries.TryGetValue(key, out var entry) && entry.Version == version);

    private sealed record Entry(StoredReminder Reminder, long Version);
}
