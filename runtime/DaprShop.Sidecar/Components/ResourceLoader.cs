using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DaprShop.Sidecar.Components;

/// <summary>
/// Reads every <c>.yaml</c>/<c>.yml</c> file in the resources paths, as daprd does in self-hosted
/// mode: each file may hold several documents separated by <c>---</c>; documents of kinds the
/// sidecar does not load (for example <c>Configuration</c>) are skipped; documents whose
/// <c>scopes</c> leave the app out are dropped.
/// </summary>
public static class ResourceLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>The kinds the sidecar loads from a resources path.</summary>
    public static readonly IReadOnlySet<string> LoadedKinds =
        new HashSet<string>(["Component", "Resiliency", "Subscription"], StringComparer.Ordinal);

    public static IReadOnlyList<ResourceDocument> Load(IEnumerable<string> resourcesPaths, string appId)
    {
        var documents = new List<ResourceDocument>();
        foreach (var path in resourcesPaths)
        {
            if (!Directory.Exists(path))
            {
                throw new ResourceLoadException(path, "resources path", "folder does not exist");
            }

            var files = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                documents.AddRange(ReadFile(file).Where(d => LoadedKinds.Contains(d.Kind) && d.AppliesTo(appId)));
            }
        }

        return documents;
    }

    /// <summary>Every document of one file, whatever its kind.</summary>
    public static IReadOnlyList<ResourceDocument> ReadFile(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(file));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ResourceLoadException(file, $"line {e.Start.Line}", $"not valid YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner reports some malformed input, such as an unclosed flow
            // sequence, this way, without a position.
            throw new ResourceLoadException(file, "document", $"not valid YAML (the parser gave up: {e.Message})", e);
        }

        var documents = new List<ResourceDocument>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode)
            {
                continue;
            }

            var text = ToText(document);
            var header = Deserialize<ResourceHeader>(file, text);
            if (string.IsNullOrWhiteSpace(header.Kind))
            {
                throw new ResourceLoadException(file, "kind", "is required but missing");
            }

            if (string.IsNullOrWhiteSpace(header.ApiVersion))
            {
                throw new ResourceLoadException(file, "apiVersion", "is required but missing");
            }

            // As daprd: a document of a kind it does not load (a Kustomization beside the components, say) is not
            // checked further.
            if (LoadedKinds.Contains(header.Kind) && string.IsNullOrWhiteSpace(header.Metadata?.Name))
            {
                throw new ResourceLoadException(file, "metadata.name", "is required but missing");
            }

            documents.Add(new ResourceDocument(file, header.ApiVersion, header.Kind, header.Metadata?.Name ?? string.Empty, header.Scopes ?? [], text));
        }

        return documents;
    }

    /// <summary>Parses a document's text into a kind-specific model; a type mismatch names the file.</summary>
    public static T Deserialize<T>(string file, string yaml)
    {
        try
        {
            return Yaml.Deserialize<T>(yaml) ?? throw new ResourceLoadException(file, "document", "is empty");
        }
        catch (YamlException e)
        {
            throw new ResourceLoadException(file, $"line {e.Start.Line}", $"bad value: {(e.InnerException ?? e).Message}", e);
        }
    }

    private static string ToText(YamlDocument document)
    {
        using var writer = new StringWriter();
        new YamlStream(document).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private sealed class ResourceHeader
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public HeaderMetadata? Metadata { get; set; }

        public List<string>? Scopes { get; set; }
    }

    private sealed class HeaderMetadata
    {
        public string? Name { get; set; }
    }
}
