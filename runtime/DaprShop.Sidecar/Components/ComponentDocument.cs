namespace DaprShop.Sidecar.Components;

/// <summary>The YAML shape of a <c>kind: Component</c> document (<c>dapr.io/v1alpha1</c>).</summary>
internal sealed class ComponentDocument
{
    public ComponentDocumentSpec? Spec { get; set; }

    public ComponentDocumentAuth? Auth { get; set; }
}

internal sealed class ComponentDocumentSpec
{
    public string? Type { get; set; }

    public string? Version { get; set; }

    public List<ComponentDocumentMetadataItem>? Metadata { get; set; }
}

internal sealed class ComponentDocumentMetadataItem
{
    public string? Name { get; set; }

    public string? Value { get; set; }

    public ComponentDocumentSecretKeyRef? SecretKeyRef { get; set; }
}

internal sealed class ComponentDocumentSecretKeyRef
{
    public string? Name { get; set; }

    public string? Key { get; set; }
}

internal sealed class ComponentDocumentAuth
{
    public string? SecretStore { get; set; }
}
