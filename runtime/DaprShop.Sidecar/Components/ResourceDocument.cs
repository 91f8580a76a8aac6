namespace DaprShop.Sidecar.Components;

/// <summary>
/// One YAML document from a resources path, with its header read and its body kept as text, so
/// each kind (Component, Resiliency, Subscription) is parsed by the building block that owns it.
/// </summary>
public sealed record ResourceDocument(
    string SourceFile,
    string ApiVersion,
    string Kind,
    string Name,
    IReadOnlyList<string> Scopes,
    string Yaml)
{
    /// <summary>Whether the document applies to the app: no scopes, or the app id among them.</summary>
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}
