using System.Text.Json;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Metadata;

namespace DaprShop.Sidecar.Secrets.LocalFile;

/// <summary>
/// <c>secretstores.local.file</c>: secrets read once, at load, from a JSON file, as
/// components-contrib's <c>secretstores/local/file/filestore.go</c> reads them. Metadata:
/// <c>secretsFile</c> (required; relative paths resolve against the run's base folder),
/// <c>nestedSeparator</c> (default <c>:</c>), <c>multiValued</c> (default false).
/// Single-valued, the whole document is flattened: <c>{"db": {"password": "x"}}</c> is the secret
/// <c>db:password</c> with the one key <c>db:password</c>; array items are named by index.
/// Multi-valued, each top-level string is a secret of one key, and each top-level object is one
/// secret whose keys are the object's, flattened.
/// </summary>
public sealed class LocalFileSecretStore : ISecretStore, IComponentCapabilities
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _secrets;

    private LocalFileSecretStore(Dictionary<string, IReadOnlyDictionary<string, string>> secrets, bool multiValued)
    {
        _secrets = secrets;
        Capabilities = multiValued ? ["MULTIPLE_KEY_VALUES_PER_SECRET"] : [];
    }

    public IReadOnlyList<string> Capabilities { get; }

    public static LocalFileSecretStore Load(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = spec.Metadata;
        var file = context.ResolvePath(metadata.Required("secretsFile"));
        var separator = metadata.Text("nestedSeparator", ":");
        var multiValued = metadata.Bool("multiValued", false);

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw metadata.Error("secretsFile", $"cannot read '{file}': {e.Message}");
        }
        catch (JsonException e)
        {
            throw metadata.Error("secretsFile", $"'{file}' is not valid JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw metadata.Error("secretsFile", $"'{file}' must hold a JSON object");
        }

        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (multiValued)
        {
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        secrets[property.Name] = new Dictionary<string, string>(StringComparer.Ordinal) { [property.Name] = property.Value.GetString()! };
                        break;
                    case JsonValueKind.Object:
                        var values = new Dictionary<string, string>(StringComparer.Ordinal);
                        Flatten(property.Value, null, separator, values, metadata, file);
                        secrets[property.Name] = values;
                        break;
                    default:
                        // components-contrib keeps only strings and objects at the top of a multi-valued file.
                        break;
                }
            }
        }
        else
        {
            var flat = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(root, null, separator, flat, metadata, file);
            foreach (var (name, value) in flat)
            {
                secrets[name] = new Dictionary<string, string>(StringComparer.Ordinal) { [name] = value };
            }
        }

        return new LocalFileSecretStore(secrets, multiValued);
    }

    public Task<IReadOnlyDictionary<string, string>?> GetSecretAsync(
        string name,
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_secrets.TryGetValue(name, out var secret) ? secret : null);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> GetBulkSecretsAsync(
        IReadOnlyDictionary<string, string> metadata,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>(_secrets);
    }

    private static void Flatten(JsonElement element, string? path, string separator, Dictionary<string, string> into, ComponentMetadata metadata, string file)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Join(path, property.Name, separator), separator, into, metadata, file);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(path, index.ToString(System.Globalization.CultureInfo.InvariantCulture), separator), separator, into, metadata, file);
                    index++;
                }

                break;
            default:
                var name = path ?? string.Empty;
                var value = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => element.GetRawText(),
                };
                if (!into.TryAdd(name, value))
                {
                    throw metadata.Error("secretsFile", $"'{file}' names the secret '{name}' twice once flattened");
                }

                break;
        }
    }

    private static string Join(string? path, string name, string separator) => path is null ? name : path + separator + name;
}
