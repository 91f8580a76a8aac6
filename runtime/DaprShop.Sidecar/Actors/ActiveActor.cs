namespace DaprShop.Sidecar.Actors;

/// <summary>
/// One activation of an actor in its hosting sidecar: its turn, when it was last used, and whether it
/// is being deactivated. A call that finds it deactivating waits for <see cref="Deactivated"/> and
/// then activates the actor again, so the app never sees a call for an actor between the start and
/// the end of its deactivation.
/// </summary>
public sealed class ActiveActor(string actorType, string actorId, ActorTypeSettings settings, TimeProvider time)
{
    private long _lastUsed = time.GetTimestamp();
    private volatile bool _closing;
    private volatile bool _activated;

    public string ActorType { get; } = actorType;

    public string ActorId { get; } = actorId;

    public ActorTypeSettings Settings { get; } = settings;

    public ActorTurnLock Turn { get; } = new();

    /// <summary>Completes once the actor is out of the table and the app was told.</summary>
    public TaskCompletionSource Deactivated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsClosing => _closing;

    /// <summary>Whether the app has been called for this activation (until then, dropping it needs no deactivation).</summary>
    public bool WasActivated => _activated;

    public void MarkActivated() => _activated = true;

    /// <summary>How long since a call last entered or left the actor.</summary>
    public TimeSpan IdleFor => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public void Touch() => Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());

    public void MarkClosing() => _closing = true;
}
