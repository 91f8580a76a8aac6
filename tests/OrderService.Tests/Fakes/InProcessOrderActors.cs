using System.Collections.Concurrent;
using Dapr.Actors;
using Dapr.Actors.Runtime;
using Microsoft.Extensions.DependencyInjection;
using OrderService.Actors;
using OrderService.Domain;

namespace OrderService.Tests.Fakes;

/// <summary>
/// Order actors in this process, as the Dapr actor runtime hosts them: one instance per order id, created with the
/// app's services, one call at a time per order (turn-based), reminders in <see cref="Reminders"/>.
/// </summary>
public sealed class InProcessOrderActors(IServiceProvider services) : IOrderActors
{
    private readonly ConcurrentDictionary<string, Lazy<Activation>> active = new(StringComparer.Ordinal);

    public FakeReminders Reminders { get; } = new();

    public IOrderActor ForOrder(string orderId) => new TurnBased(this, orderId);

    /// <summary>Fires a registered reminder of the order's actor in a turn of its own; false when it is not registered.</summary>
    public async Task<bool> FireReminderAsync(string orderId, string name)
    {
        if (Reminders.Find(orderId, name) is not { } reminder)
        {
            return false;
        }

        await InTurnAsync(orderId, async actor =>
        {
            await actor.ReceiveReminderAsync(name, reminder.State, reminder.DueTime, reminder.Period);
            return true;
        });
        Reminders.Fired(reminder);
        return true;
    }

    /// <summary>Drops the order's active instance, as idle deactivation does; the next call activates a new one.</summary>
    public void Deactivate(string orderId) => active.TryRemove(orderId, out _);

    private async Task<T> InTurnAsync<T>(string orderId, Func<OrderActor, Task<T>> call)
    {
        var activation = active.GetOrAdd(orderId, id => new Lazy<Activation>(() => Activate(id))).Value;
        await activation.Turn.WaitAsync();
        try
        {
            return await call(activation.Actor);
        }
        finally
        {
            activation.Turn.Release();
        }
    }

    private Activation Activate(string orderId)
    {
        var host = ActorHost.CreateForTest<OrderActor>(OrderActor.TypeName, new ActorTestOptions { ActorId = new ActorId(orderId), TimerManager = Reminders });
        var scope = services.CreateScope();
        return new Activation(ActivatorUtilities.CreateInstance<OrderActor>(scope.ServiceProvider, host), scope);
    }

    private sealed record Activation(OrderActor Actor, IServiceScope Scope)
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);
    }

    private sealed class TurnBased(InProcessOrderActors actors, string orderId) : IOrderActor
    {
        public Task<PlacementResult> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken) =>
            actors.InTurnAsync(orderId, actor => actor.PlaceAsync(command, cancellationToken));

        public Task<CancellationOutcome> CancelAsync(CancelOrder command, CancellationToken cancellationToken) =>
            actors.InTurnAsync(orderId, actor => actor.CancelAsync(command, cancellationToken));
    }
}
