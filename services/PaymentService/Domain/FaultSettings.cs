namespace PaymentService.Domain;

/// <summary>The injected fault: a mode and, for <see cref="FaultMode.Slow"/>, the delay in milliseconds.</summary>
public sealed record FaultSettings(FaultMode Mode, int DelayMs)
{
    public const int DefaultDelayMs = 3000;

    public const int MaxDelayMs = 60_000;

    public static FaultSettings None { get; } = new(FaultMode.None, 0);

    /// <summary>
    /// Reads <c>none</c>, <c>down</c> or <c>slow</c> (any case) and an optional delay (slow only, default 3000 ms).
    /// Returns null with field errors keyed by JSON property name when the input is not valid.
    /// </summary>
    public static FaultSettings? Parse(string? mode, int? delayMs, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        FaultMode? parsed = mode?.Trim().ToLowerInvariant() switch
        {
            "none" => FaultMode.None,
            "down" => FaultMode.Down,
            "slow" => FaultMode.Slow,
            _ => null,
        };

        if (parsed is null)
        {
            errors["mode"] = ["mode must be one of 'none', 'down' or 'slow'."];
        }

        if (delayMs is < 0 or > MaxDelayMs)
        {
            errors["delayMs"] = [$"delayMs must be between 0 and {MaxDelayMs}."];
        }

        return errors.Count > 0 || parsed is null
            ? null
            : parsed == FaultMode.Slow ? new FaultSettings(FaultMode.Slow, delayMs ?? DefaultDelayMs) : new FaultSettings(parsed.Value, 0);
    }
}
