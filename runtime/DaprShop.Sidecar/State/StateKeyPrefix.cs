using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.State;

/// <summary>
/// How the state API turns an app's key into the stored key, from the component's
/// <c>keyPrefix</c> metadata, as daprd does (dapr/dapr <c>pkg/components/state/state_config.go</c>):
/// <c>appid</c> (the default) stores <c>{appId}||{key}</c>; <c>name</c> stores
/// <c>{storeName}||{key}</c>; <c>namespace</c> stores <c>{NAMESPACE}.{appId}||{key}</c>, or the
/// <c>appid</c> form when the NAMESPACE environment variable is empty; <c>none</c> stores the key as
/// it is; any other value is a custom prefix, <c>{value}||{key}</c>. daprd lower-cases the value
/// first, custom prefixes included. Neither a key nor the prefix may contain <c>||</c>.
/// </summary>
public sealed class StateKeyPrefix
{
    public const string Separator = "||";

    private readonly string? _prefix;

    private StateKeyPrefix(string? prefix)
    {
        _prefix = prefix;
    }

    /// <summary>The prefix this store's keys get, null for <c>none</c>.</summary>
    public string? Prefix => _prefix;

    /// <summary>Reads and validates <c>keyPrefix</c>; a bad value is a <see cref="ResourceLoadException"/>.</summary>
    public static StateKeyPrefix FromSpec(ComponentSpec spec, string appId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var raw = spec.Metadata.Get("keyPrefix");
        if (!string.IsNullOrEmpty(raw) && raw.Contains(Separator, StringComparison.Ordinal))
        {
            throw spec.Metadata.Error("keyPrefix", $"'{raw}' can't contain '{Separator}'");
        }

        var strategy = string.IsNullOrEmpty(raw) ? "appid" : raw.ToLowerInvariant();
        return strategy switch
        {
            "none" => new StateKeyPrefix(null),
            "name" => new StateKeyPrefix(spec.Name),
            "appid" => new StateKeyPrefix(appId),
            "namespace" => new StateKeyPrefix(Environment.GetEnvironmentVariable("NAMESPACE") is { Length: > 0 } ns ? $"{ns}.{appId}" : appId),
            _ => new StateKeyPrefix(strategy),
        };
    }

    /// <summary>The stored key for an app's key; a key holding <c>||</c> is refused as daprd does.</summary>
    public string Apply(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            // daprd: HTTP 400 ERR_MALFORMED_REQUEST; its gRPC API returns the plain error, which
            // gRPC reports as Unknown.
            throw new DaprApiException(
                "ERR_MALFORMED_REQUEST",
                $"input key/keyPrefix '{key}' can't contain '{Separator}'",
                StatusCodes.Status400BadRequest,
                StatusCode.Unknown);
        }

        return _prefix is null ? key : $"{_prefix}{Separator}{key}";
    }

    /// <summary>The app's key for a stored key (daprd's <c>GetOriginalStateKey</c>).</summary>
    public static string Strip(string storedKey)
    {
        ArgumentNullException.ThrowIfNull(storedKey);
        var parts = storedKey.Split(Separator);
        return parts.Length <= 1 ? storedKey : parts[1];
    }
}
