using System.Collections.Concurrent;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Bindings;
using DaprShop.Sidecar.State;

namespace DaprShop.Sidecar.Metadata;

/// <summary>
/// The metadata building block: what <c>GetMetadata</c> and <c>GET /v1.0/metadata</c> report, and
/// the extended attributes <c>SetMetadata</c> and <c>PUT /v1.0/metadata/{key}</c> set, as daprd's
/// <c>pkg/api/universal/metadata.go</c> builds them.
/// </summary>
public sealed class MetadataService(SidecarContext sidecar, IEnumerable<IMetadataContributor> contributors)
{
    /// <summary>
    /// The version this runtime reports: the daprd release whose APIs it follows, marked as the
    /// DaprShop local runtime rather than daprd itself.
    /// </summary>
    public const string RuntimeVersion = "1.18.0-daprshop";

    /// <summary>daprd still puts its version in the extended metadata under this key, for older clients.</summary>
    public const string RuntimeVersionKey = "daprRuntimeVersion";

    private readonly ConcurrentDictionary<string, string> _extended = new(StringComparer.Ordinal);

    /// <summary>Sets an extended attribute; an empty key is ignored, as daprd ignores it.</summary>
    public void SetExtended(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!string.IsNullOrEmpty(key))
        {
            _extended[key] = value;
        }
    }

    public GetMetadataResponse Build()
    {
        var response = new GetMetadataResponse
        {
            Id = sidecar.AppId,
            RuntimeVersion = RuntimeVersion,
            ActorRuntime = new ActorRuntime { RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Disabled },
            AppConnectionProperties = new AppConnectionProperties
            {
                Protocol = "http",
                ChannelAddress = sidecar.Options.AppHost,
                Port = sidecar.Options.AppPort ?? 0,
            },
        };

        foreach (var (key, value) in _extended)
        {
            response.ExtendedMetadata[key] = value;
        }

        response.ExtendedMetadata[RuntimeVersionKey] = RuntimeVersion;

        foreach (var spec in sidecar.Components.Specs)
        {
            var component = new RegisteredComponents { Name = spec.Name, Type = spec.Type, Version = spec.Version };
            component.Capabilities.Add(CapabilitiesOf(sidecar.Components.Get<object>(spec.Name)));
            response.RegisteredComponents.Add(component);
        }

        foreach (var contributor in contributors)
        {
            contributor.Contribute(response);
        }

        // daprd still fills the deprecated active_actors_count from the actor runtime, for older clients.
#pragma warning disable CS0612
        response.ActiveActorsCount.Clear();
        response.ActiveActorsCount.Add(response.ActorRuntime?.ActiveActors ?? []);
#pragma warning restore CS0612
        return response;
    }

    /// <summary>
    /// daprd's capabilities of a component (<c>getComponentsCapabilitesMap</c> in
    /// <c>pkg/runtime/runtime.go</c>): a state store's features, plus <c>ACTOR</c> when it has both
    /// ETags and transactions; <c>OUTPUT_BINDING</c> for an output binding; a component's own list
    /// otherwise.
    /// </summary>
    public static IReadOnlyList<string> CapabilitiesOf(object? component)
    {
        var capabilities = new List<string>();
        if (component is IStateStore store)
        {
            if (store.Features.HasFlag(StateFeatures.ETag))
            {
                capabilities.Add("ETAG");
            }

            if (store.Features.HasFlag(StateFeatures.Transactional))
            {
                capabilities.Add("TRANSACTIONAL");
            }

            if (store.Features.HasFlag(StateFeatures.Ttl))
            {
                capabilities.Add("TTL");
            }

            if (store.Features.HasFlag(StateFeatures.ETag | StateFeatures.Transactional))
            {
                capabilities.Add("ACTOR");
            }
        }

        if (component is IComponentCapabilities own)
        {
            capabilities.AddRange(own.Capabilities);
        }

        if (component is IOutputBinding)
        {
            capabilities.Add("OUTPUT_BINDING");
        }

        return capabilities;
    }
}
