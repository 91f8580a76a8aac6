using System.Globalization;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// The <c>spec.metadata</c> of a component with typed accessors. Names are case-insensitive, as
/// daprd matches them. Every accessor that finds a bad value throws a
/// <see cref="ResourceLoadException"/> naming the file and the field.
/// </summary>
public sealed class ComponentMetadata
{
    private readonly Dictionary<string, string> _values;

    public ComponentMetadata(string sourceFile, string componentName, IReadOnlyDictionary<string, string> values)
    {
        SourceFile = sourceFile;
        ComponentName = componentName;
        _values = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
    }

    public string SourceFile { get; }

    public string ComponentName { get; }

    /// <summary>Every name and value, for components that pass metadata through.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    public bool Contains(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>A field that must be present and non-empty.</summary>
    public string Required(string name)
    {
        var value = Get(name);
        return string.IsNullOrWhiteSpace(value) ? throw Error(name, "is required but missing or empty") : value;
    }

    public string Text(string name, string defaultValue)
    {
        var value = Get(name);
        return string.IsNullOrEmpty(value) ? defaultValue : value;
    }

    public bool Bool(string name, bool defaultValue)
    {
        var value = Get(name);
        if (string.IsNullOrEmpty(value))
        {
            return defaultValue;
        }

        // daprd accepts the forms Go's strconv.ParseBool accepts, plus "yes"/"no"/"on"/"off".
        return value.Trim().ToLowerInvariant() switch
        {
            "1" or "t" or "true" or "y" or "yes" or "on" => true,
            "0" or "f" or "false" or "n" or "no" or "off" => false,
            _ => throw Error(name, $"'{value}' is not a boolean"),
        };
    }

    public int Number(string name, int defaultValue)
    {
        var value = Get(name);
        if (string.IsNullOrEmpty(value))
        {
            return defaultValue;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw Error(name, $"'{value}' is not an integer");
    }

    /// <summary>A Go duration (<c>1m30s</c>), or a bare number of seconds as some components accept.</summary>
    public TimeSpan Duration(string name, TimeSpan defaultValue)
    {
        var value = Get(name);
        if (string.IsNullOrEmpty(value))
        {
            return defaultValue;
        }

        if (GoDuration.TryParse(value, out var duration))
        {
            return duration;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw Error(name, $"'{value}' is not a duration (use Go syntax such as 500ms, 10s, 1m30s)");
    }

    /// <summary>One of a fixed set of values, compared case-insensitively.</summary>
    public string OneOf(string name, string defaultValue, params string[] allowed)
    {
        var value = Text(name, defaultValue);
        return allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? value.ToLowerInvariant()
            : throw Error(name, $"'{value}' is not one of {string.Join(", ", allowed)}");
    }

    public ResourceLoadException Error(string name, string problem) =>
        new(SourceFile, $"component '{ComponentName}' spec.metadata.{name}", problem);
}
