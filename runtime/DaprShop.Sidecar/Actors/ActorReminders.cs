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
/// The reminders of the actors one instance owns under the placement. Each is a row of the actor
/// state store under <c>daprshop-reminders||{type}||{id}||{name}</c>, taken up by the instance that
/// owns its actor when the hosting app's types are registered and whenever the placement changes,
/// so reminders survive a restart of the app and its sidecar, and the loss of an instance; one
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

    /// <summary>The firings under way, by key: from the call to the app until the next due time is saved or the row deleted.</summary>
    private readonly ConcurrentDictionary<string, Task> _firing = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Lets go of the reminders this instance tracks whose actor <paramref name="table"/> moved elsewhere (they stay
    /// stored; their new owner fires them), each once a firing under way has saved its next due time or deleted it
    /// (waiting up to the type's drain timeout), so that the new owner reads the row as it stands.
    /// </summary>
    public async Task ReleaseMovedAsync(PlacementTable table, Func<string, TimeSpan> drainTimeout)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(drainTimeout);
        foreach (var (key, entry) in _entries.Where(e => !ReferenceEquals(table.Owner(e.Value.Reminder.ActorType, e.Value.Reminder.ActorId), _runtime)).ToList())
        {
            if (_firing.TryGetValue(key, out var firing))
            {
                try
                {
                    await firing.WaitAsync(drainTimeout(entry.Reminder.ActorType), _time);
                }
                catch (TimeoutException)
                {
                    _logger.LogWarning("Reminder {Key} moved while firing, and the firing did not end in time", key);
                }
            }

            await WithStripeAsync(key, () => Untrack(key, entry.Version), CancellationToken.None);
        }
    }

    /// <summary>
    /// Takes up the stored reminders of <paramref name="actorTypes"/> that this instance owns under
    /// <paramref name="table"/> and does not track yet. Runs when the app's types are first registered and in the
    /// second phase of every placement change.
    /// </summary>
    /// <returns>How many stored reminders this instance owns now, and how many are stored for those types.</returns>
    public async Task<(int Owned, int Stored)> TakeUpAsync(IEnumerable<string> actorTypes, PlacementTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actorTypes);
        ArgumentNullException.ThrowIfNull(table);
        if (_store is not IStateKeyQuery query)
        {
            _logger.LogWarning("The actor state store cannot list its rows: stored reminders are not loaded");
            return (0, 0);
        }

        var (owned, stored) = (0, 0);
        foreach (var actorType in actorTypes)
        {
            var rows = await query.QueryByPrefixAsync($"{KeyPrefix}{StateKeyPrefix.Separator}{actorType}{StateKeyPrefix.Separator}", cancellationToken);
            stored += rows.Count;
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

                if (reminder is not null && ReferenceEquals(table.Owner(reminder.ActorType, reminder.ActorId), _runtime))
                {
                    owned++;
                    await AdoptAsync(reminder, replace: false, cancellationToken);
                }
            }
        }

        return (owned, stored);
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

            if (_runtime.Owns(actorType, actorId))
            {
                Track(reminder);
            }
        }
        finally
        {
            gate.Release();
        }

        if (!_runtime.Owns(actorType, actorId) && _runtime.Placement.Table.Owner(actorType, actorId)?.Reminders is { } owner)
        {
            // The placement moved the actor while the reminder was being stored: its new owner fires it.
            await owner.AdoptAsync(reminder, replace: true, cancellationToken);
        }

        _logger.LogDebug("Reminder {Reminder} of actor {ActorType}/{ActorId} due at {Due}", name, actorType, actorId, schedule.FirstDue);
    }

    /// <summary>The reminder, or null when there is none (read from the store when this instance does not track it).</summary>
    public async Task<StoredReminder?> GetAsync(string actorType, string actorId, string name, CancellationToken cancellationToken)
    {
        var key = ReminderKey(actorType, actorId, name);
        return _entries.TryGetValue(key, out var entry) ? entry.Reminder : await ReadStoredAsync(key, cancellationToken);
    }

    /// <summary>
    /// Tracks a reminder this instance owns: one read from the store only when it is not tracked yet; one just
    /// registered (<paramref name="replace"/>) in place of whatever version is tracked.
    /// </summary>
    internal Task AdoptAsync(StoredReminder reminder, bool replace, CancellationToken cancellationToken)
    {
        var key = ReminderKey(reminder.ActorType, reminder.ActorId, reminder.Name);
        return WithStripeAsync(
            key,
            () =>
            {
                if ((replace || !_entries.ContainsKey(key)) && _runtime.Owns(reminder.ActorType, reminder.ActorId))
                {
                    Track(reminder);
                }
            },
            cancellationToken);
    }

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

    private async Task WithStripeAsync(string key, Action action, CancellationToken cancellationToken)
    {
        var gate = StripeFor(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            action();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops firing a reminder here without deleting it (another instance owns it now, or it is gone).</summary>
    private void Untrack(string key, long version)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Version == version && _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            _scheduler.Cancel(key);
        }
    }

    private async Task<StoredReminder?> ReadStoredAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(key, cancellationToken);
        if (stored is null || stored.Value.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StoredReminder>(stored.Value.Span, Json);
        }
        catch (JsonException e)
        {
            _logger.LogError("Stored reminder {Key} is not readable: {Problem}", key, e.Message);
            return null;
        }
    }

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
        // Not while a placement round that changes the type is under way: the old owner may still be running the actor.
        if (_entries.TryGetValue(key, out var due))
        {
            await _runtime.Placement.Table.SettledFor(due.Reminder.ActorType).WaitAsync(cancellationToken);
        }

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

            if (!_runtime.Owns(reminder.ActorType, reminder.ActorId)
                || (_runtime.Placement.Table.HostCount(reminder.ActorType) > 1 && await _store.GetAsync(key, cancellationToken) is null))
            {
                // Moved to another instance, or deleted through one, while this one tracked it.
                Untrack(key, version);
                return;
            }
        }
        finally
        {
            gate.Release();
        }

        var firing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _firing[key] = firing.Task;
        try
        {
            await FireOnceAsync(key, version, reminder, gate, cancellationToken);
        }
        finally
        {
            _firing.TryRemove(new KeyValuePair<string, Task>(key, firing.Task));
            firing.TrySetResult();
        }
    }

    /// <summary>Calls the app (with retries) and saves the reminder's next due time, or deletes it when it is done.</summary>
    private async Task FireOnceAsync(string key, long version, StoredReminder reminder, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var outcome = await InvokeWithRetriesAsync(key, version, reminder, cancellationToken);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!_entries.TryGetValue(key, out var entry) || entry.Version != version)
            {
                // Deleted or replaced while it ran (often by the actor itself).
                return;
            }

            if (outcome == ActorCallbackOutcome.Moved)
            {
                // Its new owner took it up from the store when the placement changed.
                Untrack(key, version);
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
