namespace DaprShop.Sidecar.Http;

/// <summary>
/// daprd's checks on names and methods that end up in a path to the app (<c>pkg/messaging/method/normalize.go</c>):
/// a name (actor type or id, reminder or timer name) may not contain <c>#?/\</c>, NUL or control characters, nor be
/// <c>.</c> or <c>..</c>; a method is cleaned as a path (dot segments resolved, a leading <c>../</c> dropped) so that it
/// can never climb out of the route it is put under.
/// </summary>
public static class MethodNames
{
    /// <summary>Null when <paramref name="name"/> is acceptable, else daprd's reason.</summary>
    public static string? ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.AsSpan().IndexOfAny("#?\0/\\") >= 0)
        {
            return $"name contains forbidden character: {Quote(name)}";
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] < 0x20 || name[i] == 0x7f)
            {
                return $"name contains control character at position {i}: {Quote(name)}";
            }
        }

        return name is "." or ".." ? $"name is a path traversal sequence: {Quote(name)}" : null;
    }

    /// <summary>The method cleaned as daprd cleans it, or null with the reason when it has forbidden characters.</summary>
    public static string? NormalizeMethod(string method, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(method);
        problem = null;
        if (method.AsSpan().IndexOfAny("#?\0") >= 0)
        {
            problem = $"method contains forbidden character: {Quote(method)}";
            return null;
        }

        for (var i = 0; i < method.Length; i++)
        {
            if (method[i] < 0x20 || method[i] == 0x7f)
            {
                problem = $"method contains control character at position {i}: {Quote(method)}";
                return null;
            }
        }

        var cleaned = CleanPath(method);
        while (cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            cleaned = cleaned[3..];
        }

        return cleaned is ".." or "." ? string.Empty : cleaned;
    }

    /// <summary>Go's <c>path.Clean</c>: one slash between segments, <c>.</c> gone, <c>..</c> resolved (kept only at the start of a relative path).</summary>
    public static string CleanPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count > 0 && segments[^1] != "..")
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }
                    else if (!rooted)
                    {
                        segments.Add("..");
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        var joined = string.Join('/', segments);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>A Go <c>%q</c>-like quoting: the text in double quotes with quotes and backslashes escaped.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
