using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprShop.Sidecar.Http;

/// <summary>JSON settings for the sidecar's own bodies (errors, metadata): camelCase, no nulls.</summary>
public static class DaprJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
