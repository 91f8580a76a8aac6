namespace DaprShop.Sidecar.Bindings;

/// <summary>A request to an output binding: the operation, the data bytes and the request metadata.</summary>
public sealed record BindingRequest(string Operation, ReadOnlyMemory<byte> Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What an output binding answers: data bytes and response metadata.</summary>
public sealed record BindingResponse(ReadOnlyMemory<byte> Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A <c>bindings.*</c> component used for output (components-contrib's <c>bindings.OutputBinding</c>).</summary>
public interface IOutputBinding
{
    /// <summary>The operations it supports, such as <c>create</c>, <c>get</c>, <c>list</c>, <c>delete</c>.</summary>
    IReadOnlyList<string> Operations { get; }

    /// <summary>Runs one operation; null when the operation answers nothing.</summary>
    Task<BindingResponse?> InvokeAsync(BindingRequest request, CancellationToken cancellationToken);
}
