namespace DaprShop.Sidecar.Components;

/// <summary>
/// One <c>kind: Component</c> document as daprd reads it: <c>metadata.name</c>, <c>spec.type</c>
/// (for example <c>state.sqlite</c>), <c>spec.version</c>, <c>spec.metadata</c> with secret
/// references already resolved, and <c>scopes</c>.
/// </summary>
public sealed record ComponentSpec(
    string Name,
    string Type,
    string Version,
    ComponentMetadata Metadata,
    IReadOnlyList<string> Scopes,
    string SourceFile)
{
    /// <summary>The building block: the part of <see cref="Type"/> before the first dot (<c>state</c>, <c>pubsub</c>, ...).</summary>
    public string Category => Type.Split('.', 2)[0];
}
