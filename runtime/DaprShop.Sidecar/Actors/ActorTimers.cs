using System.Text.Json;
using DaprShop.Sidecar.State;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Actors;

/// <summary>A timer registration as the API receives it (<c>PUT .../timers/{name}</c>).</summary>
public sealed record TimerRequest(string? DueTime, string? Period, string? Ttl, string? Callback, JsonElement? Data);

/// <summary>
/// The timers of the actors one sidecar hosts: in memory only, dropped when their actor is
/// deactivated, fired by the shared <see cref="ActorScheduler"/> as
/// <c>PUT actors/{type}/{id}/method/timer/{name}</c> with <c>{data, callback, dueTime, period}</c>
/// in the actor's turn. A failed call does not remove the timer; a truthy
/// <c>X-DaprReminderCancel</c> answer does (docs.dapr.io "Actors timers and reminders", dapr/dapr
/// <c>pkg/actors/targets/app/app.go</c>). Creating a timer for a type this sidecar does not host
/// fails as in daprd's <c>pkg/actors/timers/timers.go</c>.
/// </summary>
public sealed class ActorTimers(ActorRuntime runtime, ActorScheduler scheduler, TimeProvider time, ILogger logger)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version;

    public void Create(string actorType, string actorId, string name, TimerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actorKey = string.Join(StateKeyPrefix.Separator, actorType, actorId);
        if (!runtime.Hosts(actorType))
        {
            throw ActorErrors.TimerCreate($"can't create timer for actor {actorKey}: actor type not registered");
        }

        ActorSchedule schedule;
        try
        {
            schedule = ActorSchedule.Parse("timer", $"{actorKey}{StateKeyPrefix.Separator}{name}", request.DueTime, request.Period, request.Ttl, time.GetUtcNow());
        }
        catch (FormatException e)
        {
            throw ActorErrors.TimerCreate(e.Message);
        }

        var key = TimerKey(actorType, actorId, name);
        var timer = new Timer(actorType, actorId, name, request.Callback ?? string.Empty, request.Data, request.DueTime ?? string.Empty, request.Period ?? string.Empty, schedule);
        long version;
        lock (_gate)
        {
            version = ++_version;
            _entries[key] = new Entry(timer, version, schedule.FirstDue, schedule.Period.Repetitions);
        }

        scheduler.Schedule(key, schedule.FirstDue, ct => FireAsync(key, version, ct));
    }

    public void Delete(string actorType, string actorId, string name)
    {
        var key = TimerKey(actorType, actorId, name);
        lock (_gate)
        {
            _entries.Remove(key);
        }

        scheduler.Cancel(key);
    }

    /// <summary>Drops every timer of an actor (it is being deactivated).</summary>
    public void RemoveActor(string actorType, string actorId)
    {
        var prefix = TimerKey(actorType, actorId, string.Empty);
        List<string> keys;
        lock (_gate)
        {
            keys = [.. _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))];
            foreach (var key in keys)
            {
                _entries.Remove(key);
            }
        }

        foreach (var key in keys)
        {
            scheduler.Cancel(key);
        }
    }

    private static string TimerKey(string actorType, string actorId, string name) =>
        string.Join(StateKeyPrefix.Separator, "timer", actorType, actorId, name);

    private async Task FireAsync(string key, long version, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!) || entry.Version != version)
            {
                return;
            }
        }

        var timer = entry.Timer;
        var outcome = ActorCallbackOutcome.Succeeded;
        if (timer.Schedule.Expiration is not { } expiration || entry.Due < expiration)
        {
            var body = ActorSchedule.TimerBody(timer.Data, timer.Callback, timer.DueTime, timer.Period);
            outcome = await runtime.InvokeCallbackAsync(timer.ActorType, timer.ActorId, $"timer/{timer.Name}", body, cancellationToken);
        }

        var repetitionsLeft = entry.RepetitionsLeft;
        // A timer belongs to its activation: one whose actor moved to another instance ends here.
        var next = outcome is ActorCallbackOutcome.Cancelled or ActorCallbackOutcome.Moved
            ? null
            : ActorSchedule.Next(timer.Schedule.Period, timer.Schedule.Expiration, entry.Due, time.GetUtcNow(), ref repetitionsLeft);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var current) || current.Version != version)
            {
                return;
            }

            if (next is not { } nextDue)
            {
                _entries.Remove(key);
                logger.LogDebug("Timer {Timer} of actor {ActorType}/{ActorId} is done", timer.Name, timer.ActorType, timer.ActorId);
                return;
            }

            _entries[key] = current with { Due = nextDue, RepetitionsLeft = repetitionsLeft };
            scheduler.Schedule(key, nextDue, ct => FireAsync(key, version, ct));
        }
    }

    private sealed record Timer(
        string ActorType,
        string ActorId,
        string Name,
        string Callback,
        JsonElement? Data,
        string DueTime,
        string Period,
        ActorSchedule Schedule);

    private sealed record Entry(Timer Timer, long Version, DateTimeOffset Due, int RepetitionsLeft);
}
