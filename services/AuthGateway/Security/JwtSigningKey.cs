using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace AuthGateway.Security;

/// <summary>
/// The HS256 key that signs and validates tokens, read once at start-up from the Dapr secret store
/// (<see cref="SigningKeyLoader"/>), before the gateway takes requests.
/// </summary>
public sealed class JwtSigningKey
{
    /// <summary>HS256 needs at least 256 bits of key.</summary>
    public const int MinimumBytes = 32;

    /// <summary>How development keys begin, the one committed in components/common/dev-secrets.json among them.</summary>
    public const string DevelopmentKeyPrefix = "dev-only-";

    private SymmetricSecurityKey? key;

    /// <summary>True for a key meant for developer machines only, which the gateway refuses elsewhere.</summary>
    public static bool IsDevelopmentKey(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.StartsWith(DevelopmentKeyPrefix, StringComparison.Ordinal);
    }

    public bool IsLoaded => Volatile.Read(ref key) is not null;

    public SymmetricSecurityKey Key => Volatile.Read(ref key)
        ?? throw new InvalidOperationException("The JWT signing key has not been loaded from the secret store yet.");

    /// <summary>Uses the secret's UTF-8 bytes as the key; refuses a secret shorter than 32 bytes.</summary>
    public void Load(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);

        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumBytes)
        {
            throw new InvalidOperationException($"The JWT signing key must be at least {MinimumBytes} bytes; the secret has {bytes.Length}.");
        }

        Volatile.Write(ref key, new SymmetricSecurityKey(bytes));
    }
}
