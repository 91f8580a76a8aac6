namespace DaprShop.Sidecar.Bindings;

/// <summary>One event an input binding read: its data bytes and metadata.</summary>
public sealed record InputBindingEvent(ReadOnlyMemory<byte> Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What the sidecar does with an event an input binding read; an exception is the app's failure to take it.</summary>
public delegate Task InputBindingHandler(InputBindingEvent bindingEvent, CancellationToken cancellationToken);

/// <summary>A <c>bindings.*</c> component used for input (components-contrib's <c>bindings.InputBinding</c>).</summary>
public interface IInputBinding
{
    /// <summary>Starts reading, handing each event to <paramref name="handler"/>, until the returned reader is disposed.</summary>
    Task<IAsyncDisposable> ReadAsync(InputBindingHandler handler, CancellationToken cancellationToken);
}
