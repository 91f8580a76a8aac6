using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;

namespace AuthGateway.Domain;

public static class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>
    /// The trimmed, lower-case form of a plain address (<c>local@domain.tld</c>), or false. Printable ASCII only,
    /// because the address travels in HTTP headers and in state keys.
    /// </summary>
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        var candidate = input?.Trim().ToLowerInvariant();

        if (string.IsNullOrEmpty(candidate)
            || candidate.Length > MaxLength
            || !candidate.All(c => c is > ' ' and <= '~' and not '|')
            || !MailAddress.TryCreate(candidate, out var address)
            || address.Address != candidate
            || !IsDomainName(address.Host))
        {
            return false;
        }

        normalized = candidate;
        return true;
    }

    private static bool IsDomainName(string host) =>
        host.Contains('.', StringComparison.Ordinal) && !host.StartsWith('.') && !host.EndsWith('.') && !host.Contains("..", StringComparison.Ordinal);
}
