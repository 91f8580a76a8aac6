namespace AuthGateway.Domain;

public static class PasswordPolicy
{
    public const int MinLength = 8;

    /// <summary>Longer passwords only cost hashing time.</summary>
    public const int MaxLength = 128;

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public static string? Check(string? password) => password switch
    {
        null or { Length: < MinLength } => $"The password must have at least {MinLength} characters.",
        { Length: > MaxLength } => $"The password must have at most {MaxLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "The password must not be only spaces.",
        _ => null,
    };
}
