using System.Collections.Concurrent;
using System.Text;
using DaprShop.Sidecar.PubSub;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprShop.Sidecar.Tests.PubSub;

/// <summary>The in-memory broker with several instances of one app: one consumer group, each message delivered once.</summary>
public sealed class InMemoryBrokerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Instances_of_one_app_share_its_group_each_message_reaching_one_of_them_in_order()
    {
        var broker = new InMemoryBroker("pubsub", NullLoggerFactory.Instance);
        var received = new ConcurrentQueue<(int Instance, int Message)>();
        var other = new ConcurrentQueue<int>();
        await using var first = broker.Subscribe("orders", "notification-service", Record(received, 1));
        await using var second = broker.Subscribe("orders", "notification-service", Record(received, 2));
        await using var otherApp = broker.Subscribe("orders", "audit", (m, _) =>
        {
            other.Enqueue(Number(m));
            return Task.CompletedTask;
        });

        for (var i = 0; i < 100; i++)
        {
            broker.Publish(Message(i));
        }

        await Eventually.WaitAsync(() => received.Count == 100 && other.Count == 100, Deadline, "every message to reach both groups");
        Assert.Equal(Enumerable.Range(0, 100), received.Select(r => r.Message));
        Assert.Equal(Enumerable.Range(0, 100), other);
        Assert.Equal(50, received.Count(r => r.Instance == 1));
        Assert.Equal(50, received.Count(r => r.Instance == 2));
    }

    [Fact]
    public async Task When_an_instance_leaves_the_others_get_every_message()
    {
        var broker = new InMemoryBroker("pubsub", NullLoggerFactory.Instance);
        var received = new ConcurrentQueue<(int Instance, int Message)>();
        await using var first = broker.Subscribe("orders", "notification-service", Record(received, 1));
        var second = broker.Subscribe("orders", "notification-service", Record(received, 2));
        await second.DisposeAsync();

        for (var i = 0; i < 10; i++)
        {
            broker.Publish(Message(i));
        }

        await Eventually.WaitAsync(() => received.Count == 10, Deadline, "every message to reach the remaining instance");
        Assert.All(received, r => Assert.Equal(1, r.Instance));
    }

    private static Func<PubSubMessage, CancellationToken, Task> Record(ConcurrentQueue<(int, int)> received, int instance) => (message, _) =>
    {
        received.Enqueue((instance, Number(message)));
        return Task.CompletedTask;
    };

    private static PubSubMessage Message(int number) =>
        new("orders", Encoding.UTF8.GetBytes(number.ToString(System.Globalization.CultureInfo.InvariantCulture)), "text/plain", new Dictionary<string, string>());

    private static int Number(PubSubMessage message) => int.Parse(Encoding.UTF8.GetString(message.Data.Span), System.Globalization.CultureInfo.InvariantCulture);
}
