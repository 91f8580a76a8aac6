using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Telemetry;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Actors;

/// <summary>Order actors hosted in process over in-memory state, outbox and payment, with a manual clock.</summary>
public sealed class OrderActorHarness
{
    public OrderActorHarness()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<IOrderLogStore>(Logs);
        services.AddSingleton<IUserOrderIndex>(new StateUserOrderIndex(State));
        services.AddSingleton<IPaymentGateway>(Payments);
        services.AddSingleton(Options.Create(Deadlines));
        services.AddMetrics();
        services.AddSingleton<OrderMetrics>();
        var provider = services.BuildServiceProvider();
        Metrics = new MetricsRecorder(provider.GetRequiredService<IMeterFactory>());
        Actors = new InProcessOrderActors(provider);
        Queries = new OrderQueries(Logs, new StateUserOrderIndex(State));
    }

    public ManualClock Clock { get; } = new(TestOrders.Start);

    /// <summary>What the order meters recorded (this harness's only).</summary>
    public MetricsRecorder Metrics { get; }

    public InMemoryOrderLogStore Logs { get; } = new();

    public InMemoryAppStateStore State { get; } = new();

    public FakePaymentGateway Payments { get; } = new();

    public PaymentDeadlineOptions Deadlines { get; } = new()
    {
        PaymentWindow = TimeSpan.FromMinutes(10),
        PaymentRetry = new PaymentRetryOptions { BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromMinutes(1) },
    };

    public InProcessOrderActors Actors { get; }

    public OrderQueries Queries { get; }

    public FakeReminders Reminders => Actors.Reminders;

    public Task<PlacementResult> PlaceAsync(PlaceOrder command) => Actors.ForOrder(command.OrderId()).PlaceAsync(command, CancellationToken.None);

    public IReadOnlyList<string> EventTypes(string orderId) => [.. Logs.Peek(orderId)?.Events.Select(e => e.Type) ?? []];
}
