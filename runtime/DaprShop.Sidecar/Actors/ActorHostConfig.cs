using System.Text.Json;
using System.Text.Json.Serialization;
using DaprShop.Sidecar.Components;

namespace DaprShop.Sidecar.Actors;

/// <summary>Reentrancy of one actor type: off unless the app turns it on; 32 nested calls at most.</summary>
public sealed record ActorReentrancy(bool Enabled, int MaxStackDepth)
{
    /// <summary>daprd's <c>DefaultReentrancyStackLimit</c> (<c>pkg/actors/api/config.go</c>).</summary>
    public const int DefaultMaxStackDepth = 32;

    public static ActorReentrancy Disabled { get; } = new(false, DefaultMaxStackDepth);
}

/// <summary>The settings that apply to the actors of one type.</summary>
public sealed record ActorTypeSettings(
    TimeSpan IdleTimeout,
    TimeSpan DrainOngoingCallTimeout,
    bool DrainRebalancedActors,
    ActorReentrancy Reentrancy,
    int RemindersStoragePartitions);

/// <summary>
/// What an app answers on <c>GET /dapr/config</c>, with daprd's field names and defaults (dapr/dapr
/// <c>pkg/config/app_configuration.go</c>, <c>pkg/actors/api/config.go</c>; docs.dapr.io "Actor runtime
/// configuration parameters"): <c>entities</c>; <c>actorIdleTimeout</c> (60m),
/// <c>actorScanInterval</c> (30s), <c>drainOngoingCallTimeout</c> (60s) as Go durations;
/// <c>drainRebalancedActors</c>; <c>reentrancy</c> (<c>enabled</c>, <c>maxStackDepth</c> 32);
/// <c>remindersStoragePartitions</c>; and <c>entitiesConfig</c>, per-type overrides of the same
/// fields. Field names match case-insensitively, as Go's JSON decoder does. A duration that does not
/// parse keeps the default, as daprd's <c>TranslateEntityConfig</c> does.
/// </summary>
public sealed class ActorHostConfig
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan DefaultScanInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultDrainOngoingCallTimeout = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, ActorTypeSettings> _perType;

    private ActorHostConfig(IReadOnlyList<string> entities, TimeSpan scanInterval, ActorTypeSettings defaults, Dictionary<string, ActorTypeSettings> perType)
    {
        Entities = entities;
        ScanInterval = scanInterval;
        Defaults = defaults;
        _perType = perType;
    }

    /// <summary>The actor types the app hosts.</summary>
    public IReadOnlyList<string> Entities { get; }

    /// <summary>How often idle actors are looked for.</summary>
    public TimeSpan ScanInterval { get; }

    public ActorTypeSettings Defaults { get; }

    /// <summary>The settings of one type: its <c>entitiesConfig</c> entry, or the top-level ones.</summary>
    public ActorTypeSettings For(string actorType) => _perType.TryGetValue(actorType, out var settings) ? settings : Defaults;

    /// <exception cref="JsonException">The body is not the JSON object daprd expects.</exception>
    public static ActorHostConfig Parse(ReadOnlySpan<byte> body)
    {
        var config = JsonSerializer.Deserialize<ConfigBody>(body, Json) ?? new ConfigBody();
        var defaults = Settings(config, null);
        var perType = new Dictionary<string, ActorTypeSettings>(StringComparer.Ordinal);
        var entities = (config.Entities ?? []).Where(e => !string.IsNullOrEmpty(e)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var entry in config.EntitiesConfig ?? [])
        {
            foreach (var entity in entry.Entities ?? [])
            {
                if (entities.Contains(entity, StringComparer.Ordinal))
                {
                    perType[entity] = Settings(entry, defaults);
                }
            }
        }

        var scanInterval = Duration(config.ActorScanInterval, DefaultScanInterval);
        return new ActorHostConfig(entities, scanInterval > TimeSpan.Zero ? scanInterval : DefaultScanInterval, defaults, perType);
    }

    private static ActorTypeSettings Settings(EntityBody body, ActorTypeSettings? inherited) => new(
        Duration(body.ActorIdleTimeout, inherited?.IdleTimeout ?? DefaultIdleTimeout),
        Duration(body.DrainOngoingCallTimeout, inherited?.DrainOngoingCallTimeout ?? DefaultDrainOngoingCallTimeout),
        body.DrainRebalancedActors,
        body.Reentrancy is { } reentrancy
            ? new ActorReentrancy(reentrancy.Enabled, reentrancy.MaxStackDepth ?? ActorReentrancy.DefaultMaxStackDepth)
            : ActorReentrancy.Disabled,
        body.RemindersStoragePartitions);

    private static TimeSpan Duration(string? text, TimeSpan defaultValue) =>
        !string.IsNullOrEmpty(text) && GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero ? value : defaultValue;

    private class EntityBody
    {
        public List<string>? Entities { get; set; }

        public string? ActorIdleTimeout { get; set; }

        public string? DrainOngoingCallTimeout { get; set; }

        public bool DrainRebalancedActors { get; set; }

        public ReentrancyBody? Reentrancy { get; set; }

        public int RemindersStoragePartitions { get; set; }
    }

    private sealed class ConfigBody : EntityBody
    {
        public string? ActorScanInterval { get; set; }

        [JsonPropertyName("entitiesConfig")]
        public List<EntityBody>? EntitiesConfig { get; set; }
    }

    private sealed class ReentrancyBody
    {
        public bool Enabled { get; set; }

        public int? MaxStackDepth { get; set; }
    }
}
