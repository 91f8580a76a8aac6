using DaprShop.ServiceDefaults.State;

namespace OrderService.Tests.Fakes;

/// <summary>
/// An <see cref="InMemoryAppStateStore"/> whose writes of one key can be held: a write started while the key is held
/// waits until <see cref="Release"/> (or its token is cancelled), so a test can queue other callers behind a write in
/// flight. Shared by the test projects (linked source).
/// </summary>
public sealed class HeldWritesStore(InMemoryAppStateStore inner) : IAppStateStore
{
    private readonly Lock gate = new();
    private string? heldKey;
    private TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource writeWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InMemoryAppStateStore Inner => inner;

    /// <summary>Completes when a write of the held key has started and waits.</summary>
    public Task WriteWaiting => writeWaiting.Task;

    public void Hold(string key)
    {
        lock (gate)
        {
            heldKey = key;
            released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            writeWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (gate)
        {
            heldKey = null;
            released.TrySetResult();
        }
    }

    public Task<AppStateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class => inner.GetAsync<T>(key, cancellationToken);

    public Task<IReadOnlyList<T>> GetManyAsync<T>(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class => inner.GetManyAsync<T>(keys, cancellationToken);

    public async Task<bool> TryInsertAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        await WaitIfHeldAsync(key).WaitAsync(cancellationToken);
        return await inner.TryInsertAsync(key, value, cancellationToken);
    }

    public async Task<bool> TryReplaceAsync<T>(string key, T value, string etag, CancellationToken cancellationToken)
        where T : class
    {
        await WaitIfHeldAsync(key).WaitAsync(cancellationToken);
        return await inner.TryReplaceAsync(key, value, etag, cancellationToken);
    }

    public Task<bool> TryDeleteAsync(string key, string etag, CancellationToken cancellationToken) =>
        inner.TryDeleteAsync(key, etag, cancellationToken);

    private Task WaitIfHeldAsync(string key)
    {
        lock (gate)
        {
            if (heldKey != key)
            {
                return Task.CompletedTask;
            }

            writeWaiting.TrySetResult();
            return released.Task;
        }
    }
}
