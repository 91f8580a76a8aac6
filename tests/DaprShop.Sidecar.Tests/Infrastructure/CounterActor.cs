using System.Collections.Concurrent;
using System.Text;
using Dapr.Actors;
using Dapr.Actors.Runtime;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>The test actor's contract, called through the SDK's remoting proxy.</summary>
public interface ICounterActor : IActor
{
    /// <summary>Does <paramref name="workMs"/> of work, recording how many calls overlap.</summary>
    Task<int> TouchAsync(int workMs);

    Task SetValueAsync(string value);

    Task<string> GetValueAsync();

    Task StartTimerAsync(string name, int dueMs, int periodMs);

    Task StartReminderAsync(string name, int dueMs, string data);

    Task FailAsync(string message);

    /// <summary>The reminder as the SDK's <c>GetReminderAsync</c> reads it back: "dueTime|period|data".</summary>
    Task<string> DescribeReminderAsync(string name);
}

/// <summary>What the actors of one test app did, for assertions (one per app, a DI singleton).</summary>
public sealed class ActorProbe
{
    private readonly ConcurrentQueue<string> _events = new();
    private int _current;
    private int _maxConcurrency;
    private int _calls;

    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<string> Events => [.. _events];

    public void Enter()
    {
        var current = Interlocked.Increment(ref _current);
        Interlocked.Increment(ref _calls);
        int max;
        while (current > (max = Volatile.Read(ref _maxConcurrency)) && Interlocked.CompareExchange(ref _maxConcurrency, current, max) != max)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);

    public void Record(string what) => _events.Enqueue(what);

    public int Count(string what) => _events.Count(e => e == what);
}

/// <summary>A small actor on the official SDK: state, a timer, a reminder, an exception, deactivation.</summary>
public class CounterActor(ActorHost host, ActorProbe probe) : Actor(host), ICounterActor, IRemindable
{
    public async Task<int> TouchAsync(int workMs)
    {
        probe.Enter();
        try
        {
            await Task.Delay(workMs);
            return probe.Calls;
        }
        finally
        {
            probe.Exit();
        }
    }

    public Task SetValueAsync(string value) => StateManager.SetStateAsync("value", value);

    public async Task<string> GetValueAsync()
    {
        var value = await StateManager.TryGetStateAsync<string>("value");
        return value.HasValue ? value.Value : string.Empty;
    }

    public Task StartTimerAsync(string name, int dueMs, int periodMs) =>
        RegisterTimerAsync(name, nameof(OnTimerAsync), Encoding.UTF8.GetBytes(name), TimeSpan.FromMilliseconds(dueMs), TimeSpan.FromMilliseconds(periodMs));

    public Task StartReminderAsync(string name, int dueMs, string data) =>
        RegisterReminderAsync(name, Encoding.UTF8.GetBytes(data), TimeSpan.FromMilliseconds(dueMs), Timeout.InfiniteTimeSpan);

    public Task FailAsync(string message) => throw new InvalidOperationException(message);

    public async Task<string> DescribeReminderAsync(string name)
    {
        var reminder = await GetReminderAsync(name);
        return $"{reminder.DueTime}|{reminder.Period}|{Encoding.UTF8.GetString(reminder.State ?? [])}";
    }

    /// <summary>The timer callback, invoked by name.</summary>
    public Task OnTimerAsync(byte[] data)
    {
        probe.Record($"timer:{Id}:{Encoding.UTF8.GetString(data)}");
        return Task.CompletedTask;
    }

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        probe.Record($"reminder:{Id}:{reminderName}:{Encoding.UTF8.GetString(state ?? [])}");
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync()
    {
        probe.Record($"deactivated:{Id}");
        return Task.CompletedTask;
    }
}
