using System.Text;
using DaprShop.Sidecar.Configuration;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// The identity of a calling app, as daprd reads it from the caller's mTLS certificate
/// (<c>spiffe://{trustDomain}/ns/{namespace}/{appId}</c>). In the local cluster every sidecar is in
/// namespace <c>default</c> of trust domain <c>public</c>, daprd's defaults in self-hosted mode.
/// </summary>
public readonly record struct CallerIdentity(string AppId, string Namespace = CallerIdentity.DefaultNamespace, string TrustDomain = CallerIdentity.DefaultTrustDomain)
{
    public const string DefaultNamespace = "default";

    public const string DefaultTrustDomain = "public";

    public string SpiffeId => $"spiffe://{TrustDomain}/ns/{Namespace}/{AppId}";
}

/// <summary>
/// A Configuration's <c>spec.accessControl</c>, applied by the callee's sidecar to every invocation
/// from another app, with daprd's rules (<c>pkg/acl/acl.go</c>): the global default action applies
/// unless a policy names the caller's app id, namespace and trust domain; then the policy's default
/// action applies unless an operation matches (see <see cref="OperationTrie{T}"/>), whose action for
/// the request's verb, or for <c>*</c>, decides. Operations are compared lower-cased, as daprd does
/// for apps spoken to over HTTP.
/// </summary>
public sealed class AccessControlList
{
    private const string Allow = "allow";

    private readonly string _defaultAction;
    private readonly Dictionary<(string AppId, string Namespace), Policy> _policies;
    private readonly bool _caseSensitive;

    private AccessControlList(string defaultAction, Dictionary<(string AppId, string Namespace), Policy> policies, bool caseSensitive)
    {
        _defaultAction = defaultAction;
        _policies = policies;
        _caseSensitive = caseSensitive;
    }

    /// <summary>
    /// The list for a Configuration, or null when it sets no access control at all (everything is allowed). Operations
    /// match case-insensitively for an app served over HTTP and exactly for one served over gRPC
    /// (<paramref name="appServesGrpc"/>), as daprd reads the list for its app's protocol.
    /// </summary>
    public static AccessControlList? From(AccessControlSpec? spec, bool appServesGrpc = false)
    {
        if (spec is null
            || (string.IsNullOrEmpty(spec.TrustDomain) && string.IsNullOrEmpty(spec.DefaultAction) && spec.Policies.Count == 0))
        {
            return null;
        }

        // Without a global default action, policies make it deny (the safer choice, as daprd
        // warns); with no policies either, it is allow.
        var defaultAction = !string.IsNullOrEmpty(spec.DefaultAction)
            ? spec.DefaultAction
            : spec.Policies.Count > 0 ? "deny" : Allow;
        var policies = new Dictionary<(string, string), Policy>();
        foreach (var policy in spec.Policies)
        {
            var operations = new OperationTrie<OperationRule>();
            foreach (var operation in policy.Operations)
            {
                var name = operation.Name ?? string.Empty;
                name = name.StartsWith('/') ? name : "/" + name;
                name = appServesGrpc ? name : name.ToLowerInvariant();
                var verbs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var verb in operation.HttpVerb)
                {
                    verbs[verb] = operation.Action ?? string.Empty;
                }

                operations.Add(name, new OperationRule(verbs, operation.Action ?? string.Empty));
            }

            policies[(policy.AppId!, policy.Namespace ?? string.Empty)] =
                new Policy(policy.DefaultAction ?? string.Empty, policy.TrustDomain ?? string.Empty, operations);
        }

        return new AccessControlList(defaultAction, policies, appServesGrpc);
    }

    /// <summary>
    /// Whether <paramref name="caller"/> may call <paramref name="operation"/> (the method path, such
    /// as <c>orders/42</c>) with <paramref name="httpVerb"/>; when not, the reason in daprd's words. A caller
    /// whose identity is unknown (null: no mTLS) gets the global default action, whatever the policies say, as
    /// in daprd; its denial names an empty id.
    /// </summary>
    public bool IsAllowed(CallerIdentity? caller, string operation, string httpVerb, out string denial)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var normalized = Normalize(operation);
        var allowed = IsActionAllowed(Decide(caller, normalized, httpVerb));
        denial = allowed
            ? string.Empty
            : $"access control policy has denied access to id: {caller?.SpiffeId} operation: {normalized} verb: {httpVerb}";
        return allowed;
    }

    /// <summary>
    /// Whether <paramref name="caller"/> may call the gRPC method <paramref name="operation"/> (<c>/package.Service/Method</c>)
    /// through gRPC proxying: as daprd decides a call that is not HTTP, a matching operation's action applies whatever its
    /// verbs, and the denial names verb <c>NONE</c>.
    /// </summary>
    public bool IsAllowedOverGrpc(CallerIdentity? caller, string operation, out string denial)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var normalized = Normalize(operation);
        var allowed = IsActionAllowed(Decide(caller, normalized, httpVerb: null));
        denial = allowed
            ? string.Empty
            : $"access control policy has denied access to id: {caller?.SpiffeId} operation: {normalized} verb: NONE";
        return allowed;
    }

    /// <summary>The action for a call; <paramref name="httpVerb"/> null for a call that is not HTTP (no verb to match).</summary>
    private string Decide(CallerIdentity? caller, string operation, string? httpVerb)
    {
        var action = _defaultAction;
        if (caller is not { } known
            || !_policies.TryGetValue((known.AppId, known.Namespace), out var policy)
            || policy.TrustDomain != known.TrustDomain)
        {
            return action;
        }

        if (!string.IsNullOrEmpty(policy.DefaultAction))
        {
            action = policy.DefaultAction;
        }

        var path = operation.StartsWith('/') ? operation : "/" + operation;
        path = _caseSensitive ? path : path.ToLowerInvariant();
        var rule = policy.Operations.Find(path);
        if (rule is null)
        {
            return action;
        }

        if (httpVerb is null)
        {
            return rule.Action;
        }

        if (rule.VerbActions.TryGetValue(httpVerb, out var verbAction) || rule.VerbActions.TryGetValue("*", out verbAction))
        {
            return verbAction;
        }

        return action;
    }

    private static bool IsActionAllowed(string action) => string.Equals(action, Allow, StringComparison.OrdinalIgnoreCase);

    /// <summary>Removes duplicate slashes, dot segments and a trailing slash, as daprd normalises an operation before matching.</summary>
    private static string Normalize(string operation)
    {
        var segments = new List<string>();
        foreach (var segment in operation.Split('/'))
        {
            switch (segment)
            {
                case "":
                case ".":
                    break;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        var text = new StringBuilder();
        if (operation.StartsWith('/'))
        {
            text.Append('/');
        }

        text.AppendJoin('/', segments);
        return text.ToString();
    }

    private sealed record Policy(string DefaultAction, string TrustDomain, OperationTrie<OperationRule> Operations);

    private sealed record OperationRule(IReadOnlyDictionary<string, string> VerbActions, string Action);
}
