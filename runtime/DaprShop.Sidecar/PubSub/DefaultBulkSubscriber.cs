using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.PubSub;

/// <summary>
/// Bulk subscription over a component that hands messages over one call at a time, as daprd's default bulk subscriber
/// runs it (dapr/dapr <c>pkg/runtime/pubsub/default_bulksub.go</c>, batch mode): each message the component delivers
/// gets a fresh entry id and waits in a queue of <see cref="BulkSubscribeOptions.EffectiveMaxMessagesCount"/> places;
/// one loop gathers a batch and hands it to the bulk handler once it holds that many messages or
/// <see cref="BulkSubscribeOptions.EffectiveMaxAwaitDuration"/> has passed since its first arrived, then answers each
/// component call with its entry's result. A component that delivers serially (<c>pubsub.in-memory</c>) therefore
/// makes batches of one, each held for the whole wait, as in daprd; one that delivers concurrently (Redis streams with
/// <c>concurrency</c> workers) fills batches up to its concurrency. Batches go to the handler one after another.
/// </summary>
public static class DefaultBulkSubscriber
{
    /// <summary>Subscribes <paramref name="handler"/> to the topic in bulk, until the returned subscription is disposed.</summary>
    public static async Task<IAsyncDisposable> SubscribeAsync(
        IPubSub pubsub,
        SubscribeRequest request,
        BulkSubscribeOptions options,
        BulkPubSubHandler handler,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pubsub);
        var batcher = new Batcher(options, handler, time, logger, request.Topic);
        try
        {
            var subscription = await pubsub.SubscribeAsync(request, batcher.EnqueueAsync, cancellationToken);
            return new BulkSubscription(subscription, batcher);
        }
        catch
        {
            await batcher.DisposeAsync();
            throw;
        }
    }

    private sealed class BulkSubscription(IAsyncDisposable subscription, Batcher batcher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await subscription.DisposeAsync();
            await batcher.DisposeAsync();
        }
    }

    private sealed record Pending(BulkMessageEntry Entry, TaskCompletionSource<HandlerResult> Result);

    private sealed class Batcher : IAsyncDisposable
    {
        private readonly Channel<Pending> _queue;
        private readonly BulkSubscribeOptions _options;
        private readonly BulkPubSubHandler _handler;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly string _topic;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private volatile bool _stopped;

        public Batcher(BulkSubscribeOptions options, BulkPubSubHandler handler, TimeProvider time, ILogger logger, string topic)
        {
            _options = options;
            _handler = handler;
            _time = time;
            _logger = logger;
            _topic = topic;
            _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.EffectiveMaxMessagesCount) { SingleReader = true });
            _loop = Task.Run(RunAsync);
        }

        /// <summary>The component's handler: queues the message and answers once its batch has been handled.</summary>
        public async Task<HandlerResult> EnqueueAsync(PubSubMessage message, CancellationToken cancellationToken)
        {
            var pending = new Pending(
                new BulkMessageEntry(Guid.NewGuid().ToString(), message),
                new TaskCompletionSource<HandlerResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (_stopped)
            {
                // The subscription has stopped: the component keeps the message for its own redelivery.
                return HandlerResult.Failure;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            try
            {
                await _queue.Writer.WriteAsync(pending, linked.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && !cancellationToken.IsCancellationRequested)
            {
                return HandlerResult.Failure;
            }

            // Once queued the message's batch decides, as in daprd, which waits for it whatever the component's context
            // does: answering early would let a component redeliver what the app is about to get.
            return await pending.Result.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _stopped = true;
            await _stop.CancelAsync();
            _queue.Writer.TryComplete();
            await _loop;
            while (_queue.Reader.TryRead(out var left))
            {
                left.Result.TrySetResult(HandlerResult.Failure);
            }

            // _stop is left undisposed: a component may still hand over a message that reads it.
        }

        private async Task RunAsync()
        {
            var max = _options.EffectiveMaxMessagesCount;
            var wait = _options.EffectiveMaxAwaitDuration;
            var batch = new List<Pending>(max);
            var reader = _queue.Reader;
            try
            {
                while (await reader.WaitToReadAsync(_stop.Token))
                {
                    // The wait is measured from the first message of the batch.
                    var deadline = _time.GetUtcNow() + wait;
                    Drain(reader, batch, max);
                    while (batch.Count < max && await MoreArriveBeforeAsync(reader, deadline))
                    {
                        Drain(reader, batch, max);
                    }

                    await FlushAsync(batch);
                    batch.Clear();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopping: whatever was gathered goes back to the component.
            }

            foreach (var pending in batch)
            {
                pending.Result.TrySetResult(HandlerResult.Failure);
            }
        }

        /// <summary>True when a message can be read before <paramref name="deadline"/>; false once it has passed.</summary>
        private async Task<bool> MoreArriveBeforeAsync(ChannelReader<Pending> reader, DateTimeOffset deadline)
        {
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            using var timeout = new CancellationTokenSource(remaining, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            try
            {
                return await reader.WaitToReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                return false;
            }
        }

        private async Task FlushAsync(List<Pending> batch)
        {
            IReadOnlyList<HandlerResult> results;
            try
            {
                results = await _handler([.. batch.Select(p => p.Entry)], _stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                _logger.LogError(e, "Bulk delivery of {Count} messages on topic {Topic} failed", batch.Count, _topic);
                results = [.. batch.Select(_ => HandlerResult.Failure)];
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(i < results.Count ? results[i] : HandlerResult.Failure);
            }
        }

        private static void Drain(ChannelReader<Pending> reader, List<Pending> batch, int max)
        {
            while (batch.Count < max && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
        }
    }
}
