using System.ComponentModel.DataAnnotations;
using DaprShop.ServiceDefaults.Validation;

namespace AuthGateway.Apis;

/// <summary><c>POST /auth/register</c> body.</summary>
public sealed record RegisterRequest
{
    /// <summary>Control characters are refused rather than trimmed away with the surrounding spaces.</summary>
    [Required]
    [NoControlCharacters]
    public string? Email { get; init; }

    [Required]
    public string? Password { get; init; }

    [StringLength(100)]
    [NoControlCharacters]
    public string? Name { get; init; }
}

/// <summary><c>POST /auth/token</c> body.</summary>
public sealed record TokenRequest
{
    [Required]
    public string? Email { get; init; }

    [Required]
    public string? Password { get; init; }
}

public sealed record RegisterResponse(string UserId);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);
