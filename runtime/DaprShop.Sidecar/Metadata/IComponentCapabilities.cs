namespace DaprShop.Sidecar.Metadata;

/// <summary>
/// A component that lists its capabilities in the metadata API (daprd's component features, such
/// as <c>MULTIPLE_KEY_VALUES_PER_SECRET</c> for a secret store). State stores and output bindings
/// need not implement it: their capabilities follow from what they are.
/// </summary>
public interface IComponentCapabilities
{
    IReadOnlyList<string> Capabilities { get; }
}
