namespace DaprShop.Sidecar.Actors;

/// <summary>An actor was deactivated while a call waited for its turn; the caller activates it again.</summary>
public sealed class ActorClosedException : Exception
{
    public ActorClosedException()
        : base("the actor was deactivated")
    {
    }

    public ActorClosedException(string message)
        : base(message)
    {
    }

    public ActorClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The turn of one actor: one call at a time, the others waiting in arrival order, as daprd's
/// per-actor lock does (dapr/dapr <c>pkg/actors/targets/app/lock/lock.go</c>). With reentrancy on, a
/// call carrying the reentrancy id of the call holding the turn enters at once, up to the maximum
/// stack depth. <see cref="Close"/> ends the actor: the waiting calls fail with
/// <see cref="ActorClosedException"/> and retry on a new activation.
/// </summary>
public sealed class ActorTurnLock
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private string? _holder;
    private int _depth;
    private bool _closed;

    /// <summary>Whether a call holds the turn or waits for it.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _depth > 0 || _waiters.Count > 0;
            }
        }
    }

    /// <summary>
    /// Waits for the turn. <paramref name="reentrancyId"/> is null when reentrancy is off.
    /// </summary>
    /// <exception cref="ActorClosedException">The actor was deactivated.</exception>
    public async ValueTask EnterAsync(string? reentrancyId, int maxStackDepth, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_closed)
            {
                throw new ActorClosedException();
            }

            if (_depth == 0)
            {
                _holder = reentrancyId;
                _depth = 1;
                return;
            }

            if (reentrancyId is not null && string.Equals(reentrancyId, _holder, StringComparison.Ordinal))
            {
                if (_depth + 1 > maxStackDepth)
                {
                    throw ActorErrors.MaxStackDepthExceeded();
                }

                _depth++;
                return;
            }

            waiter = new Waiter(reentrancyId);
            waiter.Node = _waiters.AddLast(waiter);
        }

        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                if (waiter.Node?.List is not null)
                {
                    _waiters.Remove(waiter.Node);
                    waiter.Turn.TrySetCanceled(cancellationToken);
                }
            }
        });
        await waiter.Turn.Task;
    }

    /// <summary>Takes the turn only when nobody holds it or waits (used to deactivate an idle actor).</summary>
    public bool TryEnterIdle()
    {
        lock (_gate)
        {
            if (_closed || _depth > 0 || _waiters.Count > 0)
            {
                return false;
            }

            _holder = null;
            _depth = 1;
            return true;
        }
    }

    /// <summary>Gives the turn back; the next waiter, if any, gets it.</summary>
    public void Exit()
    {
        lock (_gate)
        {
            if (_depth == 0)
            {
                throw new InvalidOperationException("The actor's turn is not held.");
            }

            _depth--;
            if (_depth > 0)
            {
                return;
            }

            _holder = null;
            if (_closed)
            {
                return;
            }

            var next = _waiters.First;
            if (next is null)
            {
                return;
            }

            _waiters.RemoveFirst();
            _holder = next.Value.ReentrancyId;
            _depth = 1;
            next.Value.Turn.TrySetResult();
        }
    }

    /// <summary>Ends the actor: every waiting call fails with <see cref="ActorClosedException"/>.</summary>
    public void Close()
    {
        List<Waiter> waiting;
        lock (_gate)
        {
            _closed = true;
            waiting = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiting)
        {
            waiter.Turn.TrySetException(new ActorClosedException());
        }
    }

    private sealed class Waiter(string? reentrancyId)
    {
        public string? ReentrancyId { get; } = reentrancyId;

        public TaskCompletionSource Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
