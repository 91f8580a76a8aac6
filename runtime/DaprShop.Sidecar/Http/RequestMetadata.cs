using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// daprd's request metadata on the HTTP API: every query parameter named <c>metadata.{key}</c>
/// becomes metadata <c>{key}</c> (the first value when repeated), and response metadata goes back as
/// headers with the same prefix.
/// </summary>
public static class RequestMetadata
{
    public const string Prefix = "metadata.";

    public static Dictionary<string, string> FromQuery(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && values.Count > 0)
            {
                metadata[name[Prefix.Length..]] = values[0] ?? string.Empty;
            }
        }

        return metadata;
    }

    /// <summary>Writes metadata as <c>metadata.{key}</c> response headers.</summary>
    public static void ToHeaders(HttpResponse response, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var (key, value) in metadata)
        {
            response.Headers[Prefix + key] = value;
        }
    }
}
