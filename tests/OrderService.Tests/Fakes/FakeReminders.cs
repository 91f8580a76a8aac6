using System.Collections.Concurrent;
using Dapr.Actors.Runtime;

namespace OrderService.Tests.Fakes;

/// <summary>The actor runtime's reminders, kept in memory: registered, replaced and unregistered as daprd would; fired by the test.</summary>
public sealed class FakeReminders : ActorTimerManager
{
    private readonly ConcurrentDictionary<(string ActorId, string Name), ActorReminder> reminders = new();

    public ActorReminder? Find(string actorId, string name) => reminders.GetValueOrDefault((actorId, name));

    public IReadOnlyList<string> NamesFor(string actorId) => [.. reminders.Keys.Where(key => key.ActorId == actorId).Select(key => key.Name).Order(StringComparer.Ordinal)];

    /// <summary>Removes a one-shot reminder after it fired, as daprd does.</summary>
    public void Fired(ActorReminder reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        if (reminder.Period < TimeSpan.Zero)
        {
            reminders.TryRemove(new KeyValuePair<(string, string), ActorReminder>((reminder.ActorId.GetId(), reminder.Name), reminder));
        }
    }

    public override Task RegisterReminderAsync(ActorReminder reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        reminders[(reminder.ActorId.GetId(), reminder.Name)] = reminder;
        return Task.CompletedTask;
    }

    public override Task<IActorReminder> GetReminderAsync(ActorReminderToken reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        return Task.FromResult<IActorReminder>(reminders.GetValueOrDefault((reminder.ActorId.GetId(), reminder.Name))!);
    }

    public override Task UnregisterReminderAsync(ActorReminderToken reminder)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        reminders.TryRemove((reminder.ActorId.GetId(), reminder.Name), out _);
        return Task.CompletedTask;
    }

    public override Task RegisterTimerAsync(ActorTimer timer) => throw new NotSupportedException("Order actors use no timers.");

    public override Task UnregisterTimerAsync(ActorTimerToken timer) => throw new NotSupportedException("Order actors use no timers.");
}
