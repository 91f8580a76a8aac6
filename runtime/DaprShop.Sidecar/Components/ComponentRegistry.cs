using DaprShop.Sidecar.Secrets;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// The components loaded for one sidecar, by name. Secret stores are built first, so the other
/// components' <c>secretKeyRef</c> metadata can be resolved through them, as daprd does.
/// </summary>
public sealed class ComponentRegistry : IAsyncDisposable
{
    private readonly Dictionary<string, (ComponentSpec Spec, object Instance)> _components = new(StringComparer.Ordinal);

    private ComponentRegistry()
    {
    }

    /// <summary>Every loaded component's spec, in load order (for the metadata API).</summary>
    public IReadOnlyList<ComponentSpec> Specs => [.. _components.Values.Select(c => c.Spec)];

    public static async Task<ComponentRegistry> LoadAsync(
        IEnumerable<ResourceDocument> documents,
        ComponentCatalog catalog,
        ComponentContext context,
        CancellationToken cancellationToken)
    {
        var registry = new ComponentRegistry();
        try
        {
            var parsed = documents
                .Where(d => d.Kind == "Component")
                .Select(d => (Document: d, Body: ResourceLoader.Deserialize<ComponentDocument>(d.SourceFile, d.Yaml)))
                .ToList();

            // Secret stores first: other components may reference their secrets.
            foreach (var (document, body) in parsed.OrderBy(p => p.Body.Spec?.Type?.StartsWith("secretstores.", StringComparison.Ordinal) == true ? 0 : 1))
            {
                var spec = await ToSpecAsync(document, body, registry, cancellationToken);
                if (registry._components.ContainsKey(spec.Name))
                {
                    throw new ResourceLoadException(spec.SourceFile, "metadata.name", $"a component named '{spec.Name}' is already loaded");
                }

                registry._components[spec.Name] = (spec, catalog.Create(spec, context));
            }

            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    /// <summary>The component with this name when it is a <typeparamref name="T"/>.</summary>
    public T? Get<T>(string name)
        where T : class => _components.TryGetValue(name, out var c) ? c.Instance as T : null;

    public ComponentSpec? GetSpec(string name) => _components.TryGetValue(name, out var c) ? c.Spec : null;

    /// <summary>Every component of one building block's interface, with its spec.</summary>
    public IEnumerable<(ComponentSpec Spec, T Instance)> OfType<T>()
        where T : class => _components.Values.Where(c => c.Instance is T).Select(c => (c.Spec, (T)c.Instance));

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, instance) in _components.Values)
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        _components.Clear();
    }

    private static async Task<ComponentSpec> ToSpecAsync(
        ResourceDocument document,
        ComponentDocument body,
        ComponentRegistry loaded,
        CancellationToken cancellationToken)
    {
        var file = document.SourceFile;
        var type = body.Spec?.Type;
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new ResourceLoadException(file, $"component '{document.Name}' spec.type", "is required but missing");
        }

        var version = body.Spec!.Version;
        if (string.IsNullOrWhiteSpace(version))
        {
            throw new ResourceLoadException(file, $"component '{document.Name}' spec.version", "is required but missing");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var items = body.Spec.Metadata ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (string.IsNullOrWhiteSpace(item.Name))
            {
                throw new ResourceLoadException(file, $"component '{document.Name}' spec.metadata[{i}].name", "is required but missing");
            }

            values[item.Name] = item.SecretKeyRef is { } reference
                ? await ResolveSecretAsync(document, body, item.Name, reference, loaded, cancellationToken)
                : item.Value ?? string.Empty;
        }

        return new ComponentSpec(document.Name, type, version, new ComponentMetadata(file, document.Name, values), document.Scopes, file);
    }

    private static async Task<string> ResolveSecretAsync(
        ResourceDocument document,
        ComponentDocument body,
        string field,
        ComponentDocumentSecretKeyRef reference,
        ComponentRegistry loaded,
        CancellationToken cancellationToken)
    {
        var where = $"component '{document.Name}' spec.metadata.{field}.secretKeyRef";
        if (string.IsNullOrWhiteSpace(reference.Name))
        {
            throw new ResourceLoadException(document.SourceFile, $"{where}.name", "is required but missing");
        }

        var storeName = body.Auth?.SecretStore;
        if (string.IsNullOrWhiteSpace(storeName))
        {
            throw new ResourceLoadException(document.SourceFile, "auth.secretStore", $"is required because {field} uses secretKeyRef");
        }

        var store = loaded.Get<ISecretStore>(storeName)
            ?? throw new ResourceLoadException(document.SourceFile, "auth.secretStore", $"no secret store named '{storeName}' is loaded");
        var secret = await store.GetSecretAsync(reference.Name, new Dictionary<string, string>(), cancellationToken)
            ?? throw new ResourceLoadException(document.SourceFile, $"{where}.name", $"secret '{reference.Name}' not found in '{storeName}'");
        var key = string.IsNullOrWhiteSpace(reference.Key) ? reference.Name : reference.Key;
        return secret.TryGetValue(key, out var value)
            ? value
            : throw new ResourceLoadException(document.SourceFile, $"{where}.key", $"secret '{reference.Name}' has no key '{key}'");
    }
}
