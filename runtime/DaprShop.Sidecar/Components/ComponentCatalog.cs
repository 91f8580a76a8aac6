namespace DaprShop.Sidecar.Components;

/// <summary>
/// Builds a component instance from its spec, or throws a <see cref="ResourceLoadException"/>
/// naming the field at fault. Factories validate every metadata field at start-up.
/// </summary>
public delegate object ComponentFactory(ComponentSpec spec, ComponentContext context);

/// <summary>
/// The component types this sidecar can load (<c>state.sqlite</c>, <c>pubsub.in-memory</c>, ...),
/// each with the versions daprd accepts for it. New backends plug in here.
/// </summary>
public sealed class ComponentCatalog
{
    private readonly Dictionary<string, (IReadOnlySet<string> Versions, ComponentFactory Factory)> _factories =
        new(StringComparer.Ordinal);

    /// <summary>Every type the sidecar knows, with the building blocks' built-in components.</summary>
    public static ComponentCatalog CreateDefault()
    {
        var catalog = new ComponentCatalog();
        BuiltInComponents.Register(catalog);
        return catalog;
    }

    public IEnumerable<string> Types => _factories.Keys.Order(StringComparer.Ordinal);

    public ComponentCatalog Register(string type, ComponentFactory factory, params string[] versions)
    {
        _factories[type] = (new HashSet<string>(versions.Length == 0 ? ["v1"] : versions, StringComparer.Ordinal), factory);
        return this;
    }

    public object Create(ComponentSpec spec, ComponentContext context)
    {
        if (!_factories.TryGetValue(spec.Type, out var entry))
        {
            throw new ResourceLoadException(
                spec.SourceFile,
                $"component '{spec.Name}' spec.type",
                $"unknown component type '{spec.Type}' (this runtime knows: {string.Join(", ", Types)})");
        }

        if (!entry.Versions.Contains(spec.Version))
        {
            throw new ResourceLoadException(
                spec.SourceFile,
                $"component '{spec.Name}' spec.version",
                $"'{spec.Version}' is not a version of {spec.Type} (known: {string.Join(", ", entry.Versions)})");
        }

        return entry.Factory(spec, context);
    }
}
