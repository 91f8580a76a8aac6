using YamlDotNet.Serialization;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// The YAML shape of a <c>kind: Resiliency</c> document (<c>dapr.io/v1alpha1</c>, dapr/dapr
/// <c>pkg/apis/resiliency/v1alpha1/types.go</c>). Numbers and durations are read as text so that a
/// bad value is reported with the field it is in.
/// </summary>
internal sealed class ResiliencyDocument
{
    public ResiliencyDocumentSpec? Spec { get; set; }
}

internal sealed class ResiliencyDocumentSpec
{
    public ResiliencyDocumentPolicies? Policies { get; set; }

    public ResiliencyDocumentTargets? Targets { get; set; }
}

internal sealed class ResiliencyDocumentPolicies
{
    public Dictionary<string, string?>? Timeouts { get; set; }

    public Dictionary<string, ResiliencyDocumentRetry?>? Retries { get; set; }

    public Dictionary<string, ResiliencyDocumentCircuitBreaker?>? CircuitBreakers { get; set; }
}

internal sealed class ResiliencyDocumentRetry
{
    public string? Policy { get; set; }

    public string? Duration { get; set; }

    public string? MaxInterval { get; set; }

    public string? MaxRetries { get; set; }

    public ResiliencyDocumentMatching? Matching { get; set; }
}

internal sealed class ResiliencyDocumentMatching
{
    public string? HttpStatusCodes { get; set; }

    [YamlMember(Alias = "gRPCStatusCodes", ApplyNamingConventions = false)]
    public string? GrpcStatusCodes { get; set; }
}

internal sealed class ResiliencyDocumentCircuitBreaker
{
    public string? MaxRequests { get; set; }

    public string? Interval { get; set; }

    public string? Timeout { get; set; }

    public string? Trip { get; set; }
}

internal sealed class ResiliencyDocumentTargets
{
    public Dictionary<string, ResiliencyDocumentPolicyNames?>? Apps { get; set; }

    public Dictionary<string, ResiliencyDocumentPolicyNames?>? Actors { get; set; }

    public Dictionary<string, ResiliencyDocumentComponentTarget?>? Components { get; set; }
}

internal sealed class ResiliencyDocumentComponentTarget
{
    public ResiliencyDocumentPolicyNames? Inbound { get; set; }

    public ResiliencyDocumentPolicyNames? Outbound { get; set; }
}

/// <summary>A target's policy names; the cache and scope fields are for apps and actors.</summary>
internal sealed class ResiliencyDocumentPolicyNames
{
    public string? Timeout { get; set; }

    public string? Retry { get; set; }

    public string? CircuitBreaker { get; set; }

    public string? CircuitBreakerScope { get; set; }

    public string? CircuitBreakerCacheSize { get; set; }
}
