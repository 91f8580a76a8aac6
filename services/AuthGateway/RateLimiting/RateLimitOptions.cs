namespace AuthGateway.RateLimiting;

/// <summary>Configuration section <c>RateLimits</c>: every limit is on; a run that needs more relaxes the numbers.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests per client address to <c>/auth/register</c> and <c>/auth/token</c> together.</summary>
    public WindowLimit Auth { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Requests per user (the token's subject) to <c>/api/**</c>.</summary>
    public WindowLimit Api { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Wrong passwords per account: once that many came within the window, every attempt for the account is 429 until
    /// the window passes, even with the right password (<see cref="WrongPasswordLockout"/>).
    /// </summary>
    public WindowLimit WrongPasswords { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(5) };

    /// <summary>Why the configuration cannot be used, or null.</summary>
    public string? Problem() =>
        Auth.Problem($"{Section}:{nameof(Auth)}") ?? Api.Problem($"{Section}:{nameof(Api)}") ?? WrongPasswords.Problem($"{Section}:{nameof(WrongPasswords)}");
}

/// <summary>At most <see cref="PermitLimit"/> in each <see cref="Window"/> (a fixed window).</summary>
public sealed class WindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }

    internal string? Problem(string path) =>
        PermitLimit < 1 ? $"{path}:PermitLimit must be at least 1 (a limit cannot be switched off; raise it instead)."
        : Window <= TimeSpan.Zero ? $"{path}:Window must be positive."
        : null;
}
