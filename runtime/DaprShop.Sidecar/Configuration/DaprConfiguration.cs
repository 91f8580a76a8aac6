using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Configuration;

/// <summary>
/// A Dapr <c>kind: Configuration</c> document (<c>--config</c>): the parts the local sidecar
/// honours, tracing and access control.
/// </summary>
public sealed class DaprConfiguration
{
    public static DaprConfiguration Default { get; } = new();

    public TracingSpec Tracing { get; init; } = new();

    public AccessControlSpec? AccessControl { get; init; }

    public static DaprConfiguration Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new ResourceLoadException(file, "--config", "file does not exist");
        }

        var document = ResourceLoader.ReadFile(file).FirstOrDefault(d => d.Kind == "Configuration")
            ?? throw new ResourceLoadException(file, "kind", "no document of kind Configuration in the file");
        var body = ResourceLoader.Deserialize<ConfigurationDocument>(file, document.Yaml);
        var spec = body.Spec ?? new ConfigurationSpec();
        var accessControl = spec.AccessControl;
        if (accessControl is not null)
        {
            Validate(file, accessControl);
        }

        return new DaprConfiguration
        {
            Tracing = spec.Tracing ?? new TracingSpec(),
            AccessControl = accessControl,
        };
    }

    private static void Validate(string file, AccessControlSpec accessControl)
    {
        static bool IsAction(string? value) => value is null || value is "allow" or "deny";
        if (!IsAction(accessControl.DefaultAction))
        {
            throw new ResourceLoadException(file, "spec.accessControl.defaultAction", $"'{accessControl.DefaultAction}' is not allow or deny");
        }

        for (var i = 0; i < accessControl.Policies.Count; i++)
        {
            var policy = accessControl.Policies[i];
            if (string.IsNullOrWhiteSpace(policy.AppId))
            {
                throw new ResourceLoadException(file, $"spec.accessControl.policies[{i}].appId", "is required but missing");
            }

            if (!IsAction(policy.DefaultAction))
            {
                throw new ResourceLoadException(file, $"spec.accessControl.policies[{i}].defaultAction", $"'{policy.DefaultAction}' is not allow or deny");
            }

            // daprd refuses to start when a policy lacks either (pkg/acl ParseAccessControlSpec).
            if (string.IsNullOrWhiteSpace(policy.TrustDomain))
            {
                throw new ResourceLoadException(file, $"spec.accessControl.policies[{i}].trustDomain", "is required but missing (daprd's default is 'public')");
            }

            if (string.IsNullOrWhiteSpace(policy.Namespace))
            {
                throw new ResourceLoadException(file, $"spec.accessControl.policies[{i}].namespace", "is required but missing (self-hosted apps run in 'default')");
            }

            for (var j = 0; j < policy.Operations.Count; j++)
            {
                if (!IsAction(policy.Operations[j].Action))
                {
                    throw new ResourceLoadException(file, $"spec.accessControl.policies[{i}].operations[{j}].action", $"'{policy.Operations[j].Action}' is not allow or deny");
                }
            }
        }
    }

    private sealed class ConfigurationDocument
    {
        public ConfigurationSpec? Spec { get; set; }
    }

    private sealed class ConfigurationSpec
    {
        public TracingSpec? Tracing { get; set; }

        public AccessControlSpec? AccessControl { get; set; }
    }
}

/// <summary><c>spec.tracing</c>: the sampling rate and where spans go.</summary>
public sealed class TracingSpec
{
    public string? SamplingRate { get; set; }

    public OtelSpec? Otel { get; set; }

    public ZipkinSpec? Zipkin { get; set; }
}

public sealed class OtelSpec
{
    public string? EndpointAddress { get; set; }

    public string? Protocol { get; set; }

    public bool? IsSecure { get; set; }
}

public sealed class ZipkinSpec
{
    public string? EndpointAddress { get; set; }
}

/// <summary><c>spec.accessControl</c>: which caller apps may invoke which operations on this app.</summary>
public sealed class AccessControlSpec
{
    public string? DefaultAction { get; set; }

    public string? TrustDomain { get; set; }

    public List<AccessControlPolicy> Policies { get; set; } = [];
}

public sealed class AccessControlPolicy
{
    public string? AppId { get; set; }

    public string? DefaultAction { get; set; }

    public string? TrustDomain { get; set; }

    public string? Namespace { get; set; }

    public List<AccessControlOperation> Operations { get; set; } = [];
}

public sealed class AccessControlOperation
{
    public string? Name { get; set; }

    public List<string> HttpVerb { get; set; } = [];

    public string? Action { get; set; }
}
