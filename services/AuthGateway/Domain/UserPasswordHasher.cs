using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace AuthGateway.Domain;

/// <summary>
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2, its V3 format), which also verifies the
/// gateway's earlier hashes (<c>pbkdf2-sha256${iterations}${salt}${hash}</c>) and answers
/// <see cref="PasswordVerificationResult.SuccessRehashNeeded"/> for them, so a login stores the current format.
/// </summary>
public sealed class UserPasswordHasher : PasswordHasher<UserAccount>
{
    public const string LegacyScheme = "pbkdf2-sha256";

    /// <summary>Verified against when the user does not exist, so that the answer takes as long either way.</summary>
    private readonly Lazy<string> decoy;

    public UserPasswordHasher()
    {
        decoy = new Lazy<string>(() => HashPassword(null!, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
    }

    public override PasswordVerificationResult VerifyHashedPassword(UserAccount user, string hashedPassword, string providedPassword)
    {
        ArgumentNullException.ThrowIfNull(hashedPassword);
        ArgumentNullException.ThrowIfNull(providedPassword);

        if (hashedPassword.StartsWith(LegacyScheme + "$", StringComparison.Ordinal))
        {
            return VerifyLegacy(hashedPassword, providedPassword) ? PasswordVerificationResult.SuccessRehashNeeded : PasswordVerificationResult.Failed;
        }

        try
        {
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
        catch (FormatException)
        {
            // Not base64: not a hash this hasher wrote.
            return PasswordVerificationResult.Failed;
        }
    }

    /// <summary>Spends the time of one verification, for a user that does not exist.</summary>
    public void VerifyDecoy(string providedPassword) => VerifyHashedPassword(null!, decoy.Value, providedPassword);

    /// <summary>PBKDF2-HMAC-SHA256 with the salt and iteration count stored in the hash, as the gateway hashed before.</summary>
    private static bool VerifyLegacy(string hashedPassword, string providedPassword)
    {
        var parts = hashedPassword.Split('$');
        if (parts.Length != 4
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1
            || !TryFromBase64(parts[2], out var salt)
            || !TryFromBase64(parts[3], out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(providedPassword), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written) && written > 0)
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
