using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Bindings.LocalStorage;

/// <summary>
/// <c>bindings.localstorage</c>: files under <c>rootPath</c> (required; relative paths resolve
/// against the run's base folder; created at load), with components-contrib's operations
/// (<c>bindings/localstorage/localstorage.go</c>): <c>create</c> writes the data to metadata
/// <c>fileName</c> (a new UUID when absent) and answers <c>{"fileName": "..."}</c>; <c>get</c>
/// answers the file's bytes; <c>list</c> answers a JSON array of the absolute paths of every file
/// under <c>fileName</c> (the root by default), <c>null</c> when there are none; <c>delete</c>
/// removes the file and answers nothing. Before <c>create</c> writes, data that is a quoted string is
/// unquoted, and data that is then valid base64 is decoded, as components-contrib does. A
/// <c>fileName</c> that leads outside <c>rootPath</c> is refused.
/// </summary>
public sealed class LocalStorageBinding : IOutputBinding
{
    private static readonly string[] DisallowedRoots = ["/proc", "/sys", "/boot", "/var/run/secrets"];

    private readonly string _root;

    private LocalStorageBinding(string root)
    {
        _root = root;
    }

    public IReadOnlyList<string> Operations { get; } = ["create", "get", "list", "delete"];

    public static LocalStorageBinding Load(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var root = Path.TrimEndingDirectorySeparator(context.ResolvePath(spec.Metadata.Required("rootPath")));
        if (DisallowedRoots.Any(d => root == d || root.StartsWith(d + "/", StringComparison.Ordinal)))
        {
            throw spec.Metadata.Error("rootPath", $"'{root}' points to a disallowed location");
        }

        if (File.Exists(root))
        {
            throw spec.Metadata.Error("rootPath", $"'{root}' is a file, not a directory");
        }

        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw spec.Metadata.Error("rootPath", $"cannot create '{root}': {e.Message}");
        }

        return new LocalStorageBinding(root);
    }

    public async Task<BindingResponse?> InvokeAsync(BindingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fileName = request.Metadata.TryGetValue("fileName", out var name) ? name : string.Empty;
        if (fileName.Length == 0 && request.Operation == "create")
        {
            fileName = Guid.NewGuid().ToString();
        }

        return request.Operation switch
        {
            "create" => await CreateAsync(fileName, request.Data, cancellationToken),
            "get" => await GetAsync(fileName, cancellationToken),
            "list" => List(fileName),
            "delete" => Delete(fileName),
            _ => throw new NotSupportedException($"unsupported operation {request.Operation}"),
        };
    }

    private async Task<BindingResponse> CreateAsync(string fileName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = Resolve(fileName);
        var bytes = Decode(data);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        var relative = Path.GetRelativePath(_root, path);
        return new BindingResponse(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["fileName"] = relative }), NoMetadata);
    }

    private async Task<BindingResponse> GetAsync(string fileName, CancellationToken cancellationToken)
    {
        var path = Resolve(fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"file not found: {path}");
        }

        return new BindingResponse(await File.ReadAllBytesAsync(path, cancellationToken), NoMetadata);
    }

    private BindingResponse List(string fileName)
    {
        var path = Resolve(fileName);
        if (File.Exists(path))
        {
            throw new IOException($"unable to list files as the file specified is not a directory: {path}");
        }

        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"error getting stats for path {path}: stat {path}: no such file or directory");
        }

        var files = new List<string>();
        Walk(path, files);
        var json = files.Count == 0 ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(files);
        return new BindingResponse(json, NoMetadata);
    }

    private BindingResponse? Delete(string fileName)
    {
        var path = Resolve(fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"error deleting file {path}: remove {path}: no such file or directory");
        }

        File.Delete(path);
        return null;
    }

    /// <summary>The absolute path of a file name under the root; a name that leads outside is refused.</summary>
    private string Resolve(string fileName)
    {
        var path = Path.GetFullPath(Path.Combine(_root, fileName));
        if (path != _root && !path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException($"error getting absolute path for file {fileName}: it leads outside rootPath {_root}");
        }

        // A symbolic link under the root must not lead outside it either.
        for (var current = path; current.Length > _root.Length; current = Path.GetDirectoryName(current)!)
        {
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                var resolved = Path.GetFullPath(target.FullName);
                if (resolved != _root && !resolved.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new UnauthorizedAccessException($"error getting absolute path for file {fileName}: it leads outside rootPath {_root}");
                }
            }
        }

        return path;
    }

    private static void Walk(string folder, List<string> files)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            // As Go's filepath.Walk, a symbolic link is listed, not followed.
            if (Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null)
            {
                Walk(entry, files);
            }
            else
            {
                files.Add(entry);
            }
        }
    }

    /// <summary>
    /// components-contrib's <c>create</c> decoding: unquote a quoted string (Go's
    /// <c>strconv.Unquote</c>), then decode standard padded base64 when the result is valid base64.
    /// </summary>
    private static byte[] Decode(ReadOnlyMemory<byte> data)
    {
        var bytes = data.ToArray();
        if (bytes.Length >= 2 && bytes[0] == (byte)'"' && bytes[^1] == (byte)'"')
        {
            try
            {
                bytes = Encoding.UTF8.GetBytes(JsonSerializer.Deserialize<string>(bytes)!);
            }
            catch (JsonException)
            {
                // Not a quoted string after all: written as it is.
            }
        }
        else if (bytes.Length >= 2 && bytes[0] == (byte)'`' && bytes[^1] == (byte)'`' && Array.IndexOf(bytes, (byte)'`', 1, bytes.Length - 2) < 0)
        {
            bytes = bytes[1..^1];
        }

        if (!IsStrictBase64(bytes))
        {
            return bytes;
        }

        var text = Encoding.ASCII.GetString(bytes).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);
        return Convert.FromBase64String(text);
    }

    /// <summary>Whether Go's <c>base64.StdEncoding</c> would accept it: the standard alphabet, padded to a multiple of four (line breaks ignored).</summary>
    private static bool IsStrictBase64(byte[] bytes)
    {
        var length = 0;
        var padding = 0;
        foreach (var b in bytes)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (b == (byte)'=')
            {
                padding++;
            }
            else if (padding > 0 || !(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'/'))
            {
                return false;
            }

            length++;
        }

        return length % 4 == 0 && padding <= 2;
    }

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
}
