namespace DaprShop.Sidecar.Components;

/// <summary>
/// A resource file that daprd would refuse: unknown component type, missing required field,
/// bad value. The message is one line naming the file and the field, fit to print as it is.
/// </summary>
public sealed class ResourceLoadException : Exception
{
    public ResourceLoadException(string file, string field, string problem, Exception? inner = null)
        : base($"{file}: {field}: {problem}", inner)
    {
        File = file;
        Field = field;
    }

    public ResourceLoadException()
    {
        File = string.Empty;
        Field = string.Empty;
    }

    public ResourceLoadException(string message)
        : base(message)
    {
        File = string.Empty;
        Field = string.Empty;
    }

    public ResourceLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Field = string.Empty;
    }

    /// <summary>The file that holds the problem.</summary>
    public string File { get; }

    /// <summary>The field at fault, as a path such as <c>spec.metadata.connectionString</c>.</summary>
    public string Field { get; }
}
