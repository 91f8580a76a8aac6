using System.Globalization;
using DaprShop.Sidecar.Components;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DaprShop.Sidecar.Resiliency;

/// <summary>How far an actor target's circuit breaker reaches (<c>circuitBreakerScope</c>).</summary>
public enum ActorCircuitBreakerScope
{
    /// <summary>One breaker for every actor of the type.</summary>
    Type,

    /// <summary>One breaker per actor id.</summary>
    Id,

    /// <summary>Documented as both; daprd keys the breaker by actor id for it, as for <see cref="Id"/>.</summary>
    Both,
}

/// <summary>The policy names a target refers to; null where it names none.</summary>
public sealed record TargetPolicyNames(string? Timeout, string? Retry, string? CircuitBreaker)
{
    public static TargetPolicyNames None { get; } = new(null, null, null);
}

/// <summary>An <c>actors</c> target: its policy names, and how its circuit breakers are keyed and cached.</summary>
public sealed record ActorTargetPolicyNames(TargetPolicyNames Names, ActorCircuitBreakerScope Scope, int CircuitBreakerCacheSize);

/// <summary>A <c>components</c> target: policies for calls to the component and for deliveries from it to the app.</summary>
public sealed record ComponentTargetPolicyNames(TargetPolicyNames Inbound, TargetPolicyNames Outbound);

/// <summary>
/// Every <c>kind: Resiliency</c> document that applies to this app (scopes are applied by
/// <see cref="ResourceLoader"/>), parsed and merged as daprd's <c>pkg/resiliency/resiliency.go</c>
/// does: daprd's built-in retry policies first, then each document's policies and targets in file
/// order, a later one replacing an earlier one of the same name. Unlike daprd, which logs a
/// document it cannot read and goes on without it, a bad value, a <c>trip</c> that does not parse
/// or a target naming a policy no document defines stops start-up with a
/// <see cref="ResourceLoadException"/> naming the file and the field.
/// </summary>
public sealed class ResiliencySpec
{
    /// <summary>The kind of resource this class reads.</summary>
    public const string Kind = "Resiliency";

    /// <summary>daprd's built-in retries for service invocation between sidecars (constant 1s, 3 retries).</summary>
    public const string BuiltInServiceRetries = "DaprBuiltInServiceRetries";

    /// <summary>daprd's built-in retries for actor invocation between sidecars (constant 1s, 3 retries).</summary>
    public const string BuiltInActorRetries = "DaprBuiltInActorRetries";

    /// <summary>daprd's built-in retries for reminder operations (exponential, up to 15 minutes).</summary>
    public const string BuiltInActorReminderRetries = "DaprBuiltInActorReminderRetries";

    /// <summary>daprd's built-in retries while initializing (exponential, 3 retries, 10s at most).</summary>
    public const string BuiltInInitializationRetries = "DaprBuiltInInitializationRetries";

    /// <summary>daprd's built-in retries when an actor is not found (constant 1s, 5 retries); users cannot override it.</summary>
    public const string BuiltInActorNotFoundRetries = "DaprBuiltInActorNotFoundRetries";

    private const int DefaultActorCacheSize = 5000;

    private ResiliencySpec(
        IReadOnlyList<string> names,
        Dictionary<string, TimeSpan> timeouts,
        Dictionary<string, RetryPolicy> retries,
        Dictionary<string, CircuitBreakerPolicy> circuitBreakers,
        Dictionary<string, TargetPolicyNames> apps,
        Dictionary<string, ActorTargetPolicyNames> actors,
        Dictionary<string, ComponentTargetPolicyNames> components)
    {
        Names = names;
        Timeouts = timeouts;
        Retries = retries;
        CircuitBreakers = circuitBreakers;
        Apps = apps;
        Actors = actors;
        Components = components;
    }

    /// <summary>No Resiliency document: only daprd's built-in retries.</summary>
    public static ResiliencySpec Empty { get; } = Load([]);

    /// <summary>The <c>metadata.name</c> of each document loaded, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    public IReadOnlyDictionary<string, TimeSpan> Timeouts { get; }

    /// <summary>Every retry policy, daprd's built-in ones included.</summary>
    public IReadOnlyDictionary<string, RetryPolicy> Retries { get; }

    public IReadOnlyDictionary<string, CircuitBreakerPolicy> CircuitBreakers { get; }

    /// <summary><c>targets.apps</c>, by the app id called.</summary>
    public IReadOnlyDictionary<string, TargetPolicyNames> Apps { get; }

    /// <summary><c>targets.actors</c>, by actor type.</summary>
    public IReadOnlyDictionary<string, ActorTargetPolicyNames> Actors { get; }

    /// <summary><c>targets.components</c>, by component name.</summary>
    public IReadOnlyDictionary<string, ComponentTargetPolicyNames> Components { get; }

    /// <summary>Parses and merges the <c>Resiliency</c> documents among <paramref name="documents"/>.</summary>
    public static ResiliencySpec Load(IEnumerable<ResourceDocument> documents, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        logger ??= NullLogger.Instance;
        var names = new List<string>();
        var timeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var retries = BuiltInRetries();
        var breakers = new Dictionary<string, CircuitBreakerPolicy>(StringComparer.Ordinal);
        var apps = new Dictionary<string, TargetPolicyNames>(StringComparer.Ordinal);
        var actors = new Dictionary<string, ActorTargetPolicyNames>(StringComparer.Ordinal);
        var components = new Dictionary<string, ComponentTargetPolicyNames>(StringComparer.Ordinal);

        // Where each target was last defined, to check its references once every document is in.
        var references = new Dictionary<string, (string File, string Field, string Kind, string Name)>(StringComparer.Ordinal);

        foreach (var document in documents.Where(d => d.Kind == Kind))
        {
            logger.LogInformation("Loading Resiliency configuration: {Name}", document.Name);
            names.Add(document.Name);
            var file = document.SourceFile;
            var spec = ResourceLoader.Deserialize<ResiliencyDocument>(file, document.Yaml).Spec;
            var policies = spec?.Policies;
            foreach (var (name, value) in policies?.Timeouts ?? [])
            {
                timeouts[name] = ParseDuration(value, file, $"spec.policies.timeouts.{name}") ?? TimeSpan.Zero;
            }

            foreach (var (name, value) in policies?.Retries ?? [])
            {
                var retry = ParseRetry(name, value ?? new ResiliencyDocumentRetry(), file);
                if (name == BuiltInActorNotFoundRetries)
                {
                    logger.LogWarning("Attempted to override protected policy {Policy} which is not allowed. Ignoring provided policy and using default.", name);
                    continue;
                }

                if (IsBuiltIn(name) && retry.MaxRetries < 3)
                {
                    logger.LogWarning("Attempted override of {Policy} did not meet minimum retry count, resetting to 3.", name);
                    retry = retry with { MaxRetries = 3 };
                }

                retries[name] = retry;
            }

            foreach (var (name, value) in policies?.CircuitBreakers ?? [])
            {
                breakers[name] = ParseCircuitBreaker(name, value ?? new ResiliencyDocumentCircuitBreaker(), file);
            }

            var targets = spec?.Targets;
            foreach (var (app, value) in targets?.Apps ?? [])
            {
                var field = $"spec.targets.apps.{app}";
                apps[app] = ParseNames(value, field, file, references);
                _ = ParseCount(value?.CircuitBreakerCacheSize, file, $"{field}.circuitBreakerCacheSize");
            }

            foreach (var (type, value) in targets?.Actors ?? [])
            {
                actors[type] = ParseActor(value, $"spec.targets.actors.{type}", file, references);
            }

            foreach (var (component, value) in targets?.Components ?? [])
            {
                var field = $"spec.targets.components.{component}";
                components[component] = new ComponentTargetPolicyNames(
                    ParseNames(value?.Inbound, $"{field}.inbound", file, references),
                    ParseNames(value?.Outbound, $"{field}.outbound", file, references));
            }
        }

        foreach (var (file, field, kind, name) in references.Values)
        {
            var known = kind switch
            {
                "timeout" => timeouts.ContainsKey(name),
                "retry" => retries.ContainsKey(name),
                _ => breakers.ContainsKey(name),
            };
            if (!known)
            {
                var section = kind switch
                {
                    "timeout" => "spec.policies.timeouts",
                    "retry" => "spec.policies.retries",
                    _ => "spec.policies.circuitBreakers",
                };
                throw new ResourceLoadException(file, field, $"names {kind} policy '{name}', which no Resiliency document defines under {section}");
            }
        }

        return new ResiliencySpec(names, timeouts, retries, breakers, apps, actors, components);
    }

    private static bool IsBuiltIn(string name) =>
        name is BuiltInServiceRetries or BuiltInActorRetries or BuiltInActorReminderRetries or BuiltInInitializationRetries or BuiltInActorNotFoundRetries;

    /// <summary>The retry policies daprd adds before reading any document (<c>addBuiltInPolicies</c>).</summary>
    private static Dictionary<string, RetryPolicy> BuiltInRetries() => new(StringComparer.Ordinal)
    {
        [BuiltInServiceRetries] = RetryPolicy.Create(BuiltInServiceRetries, duration: TimeSpan.FromSeconds(1), maxRetries: 3),
        [BuiltInActorRetries] = RetryPolicy.Create(BuiltInActorRetries, duration: TimeSpan.FromSeconds(1), maxRetries: 3),

        // daprd's literal sets no MaxRetries here, and dapr/kit reads 0 as "no retries".
        [BuiltInActorReminderRetries] = RetryPolicy.Create(BuiltInActorReminderRetries, BackoffKind.Exponential, maxInterval: TimeSpan.FromSeconds(60), maxRetries: 0),
        [BuiltInInitializationRetries] = RetryPolicy.Create(BuiltInInitializationRetries, BackoffKind.Exponential, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3) with
        {
            MaxElapsedTime = TimeSpan.FromSeconds(10),
        },
        [BuiltInActorNotFoundRetries] = RetryPolicy.Create(BuiltInActorNotFoundRetries, duration: TimeSpan.FromSeconds(1), maxRetries: 5),
    };

    private static RetryPolicy ParseRetry(string name, ResiliencyDocumentRetry value, string file)
    {
        var field = $"spec.policies.retries.{name}";
        var policy = value.Policy?.ToLowerInvariant() switch
        {
            null or "" or "constant" => BackoffKind.Constant,
            "exponential" => BackoffKind.Exponential,
            _ => throw new ResourceLoadException(file, $"{field}.policy", $"unexpected back off policy type: {value.Policy} (constant or exponential)"),
        };
        long maxRetries = RetryPolicy.DefaultMaxRetries;
        if (!string.IsNullOrEmpty(value.MaxRetries)
            && !long.TryParse(value.MaxRetries, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out maxRetries))
        {
            throw new ResourceLoadException(file, $"{field}.maxRetries", $"'{value.MaxRetries}' is not an integer (-1 retries forever, 0 never)");
        }

        var matching = ParseMatching(value.Matching?.HttpStatusCodes, null, file, $"{field}.matching.httpStatusCodes");
        if (value.Matching?.GrpcStatusCodes is { Length: > 0 } grpc)
        {
            _ = ParseMatching(null, grpc, file, $"{field}.matching.gRPCStatusCodes");
            matching = StatusCodeMatcher.Parse(value.Matching.HttpStatusCodes, grpc);
        }

        return RetryPolicy.Create(
            name,
            policy,
            ParseDuration(value.Duration, file, $"{field}.duration"),
            ParseDuration(value.MaxInterval, file, $"{field}.maxInterval"),
            maxRetries,
            matching);
    }

    private static CircuitBreakerPolicy ParseCircuitBreaker(string name, ResiliencyDocumentCircuitBreaker value, string file)
    {
        var field = $"spec.policies.circuitBreakers.{name}";
        uint maxRequests = 0;
        if (!string.IsNullOrEmpty(value.MaxRequests)
            && !uint.TryParse(value.MaxRequests, NumberStyles.None, CultureInfo.InvariantCulture, out maxRequests))
        {
            throw new ResourceLoadException(file, $"{field}.maxRequests", $"'{value.MaxRequests}' is not a whole number");
        }

        var trip = TripExpression.Default;
        if (!string.IsNullOrWhiteSpace(value.Trip))
        {
            try
            {
                trip = TripExpression.Parse(value.Trip);
            }
            catch (FormatException e)
            {
                throw new ResourceLoadException(file, $"{field}.trip", e.Message, e);
            }
        }

        return CircuitBreakerPolicy.Create(
            name,
            maxRequests,
            ParseDuration(value.Interval, file, $"{field}.interval") ?? TimeSpan.Zero,
            ParseDuration(value.Timeout, file, $"{field}.timeout") ?? TimeSpan.Zero,
            trip);
    }

    private static StatusCodeMatcher ParseMatching(string? http, string? grpc, string file, string field)
    {
        try
        {
            return StatusCodeMatcher.Parse(http, grpc);
        }
        catch (FormatException e)
        {
            throw new ResourceLoadException(file, field, e.Message, e);
        }
    }

    private static ActorTargetPolicyNames ParseActor(
        ResiliencyDocumentPolicyNames? value,
        string field,
        string file,
        Dictionary<string, (string File, string Field, string Kind, string Name)> references)
    {
        var names = ParseNames(value, field, file, references);
        var scope = value?.CircuitBreakerScope switch
        {
            null or "" when names.CircuitBreaker is not null =>
                throw new ResourceLoadException(file, $"{field}.circuitBreakerScope", "actor circuit breakers must include scope (type, id or both)"),
            null or "" or "type" => ActorCircuitBreakerScope.Type,
            "id" => ActorCircuitBreakerScope.Id,
            "both" => ActorCircuitBreakerScope.Both,
            var other => throw new ResourceLoadException(file, $"{field}.circuitBreakerScope", $"unknown circuit breaker scope \"{other}\" (type, id or both)"),
        };
        var cacheSize = ParseCount(value?.CircuitBreakerCacheSize, file, $"{field}.circuitBreakerCacheSize");
        return new ActorTargetPolicyNames(names, scope, cacheSize is null or 0 ? DefaultActorCacheSize : cacheSize.Value);
    }

    private static TargetPolicyNames ParseNames(
        ResiliencyDocumentPolicyNames? value,
        string field,
        string file,
        Dictionary<string, (string File, string Field, string Kind, string Name)> references)
    {
        var names = new TargetPolicyNames(
            string.IsNullOrEmpty(value?.Timeout) ? null : value.Timeout,
            string.IsNullOrEmpty(value?.Retry) ? null : value.Retry,
            string.IsNullOrEmpty(value?.CircuitBreaker) ? null : value.CircuitBreaker);
        Reference(references, file, $"{field}.timeout", "timeout", names.Timeout);
        Reference(references, file, $"{field}.retry", "retry", names.Retry);
        Reference(references, file, $"{field}.circuitBreaker", "circuit breaker", names.CircuitBreaker);
        return names;
    }

    private static void Reference(Dictionary<string, (string File, string Field, string Kind, string Name)> references, string file, string field, string kind, string? name)
    {
        if (name is null)
        {
            references.Remove(field);
        }
        else
        {
            references[field] = (file, field, kind, name);
        }
    }

    private static int? ParseCount(string? text, string file, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new ResourceLoadException(file, field, $"'{text}' is not a whole number");
    }

    /// <summary>A Go duration such as <c>5s</c> or <c>1m30s</c>, or a whole number of milliseconds, as daprd reads policy durations.</summary>
    private static TimeSpan? ParseDuration(string? text, string file, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return GoDuration.TryParse(text, out var duration)
            ? duration
            : throw new ResourceLoadException(file, field, $"'{text}' is not a duration (such as 500ms, 5s or 1m30s)");
    }
}
