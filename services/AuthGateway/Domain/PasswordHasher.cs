using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AuthGateway.Domain;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a random 128-bit salt, stored as <c>pbkdf2-sha256${iterations}${salt}${hash}</c>
/// (base64). The iteration count is part of each hash, so it can be raised without invalidating stored ones.
/// </summary>
public sealed class PasswordHasher
{
    public const int DefaultIterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Verified against when the user does not exist, so that the answer takes as long either way.</summary>
    private readonly Lazy<string> decoy;

    public PasswordHasher()
        : this(DefaultIterations)
    {
    }

    public PasswordHasher(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        Iterations = iterations;
        decoy = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltBytes))));
    }

    public int Iterations { get; }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);

        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="password"/> matches; false for a wrong password or a malformed hash.</summary>
    public bool Verify(string password, string storedHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(storedHash);

        var parts = storedHash.Split('$');
        if (parts.Length != 4
            || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1
            || !TryFromBase64(parts[2], out var salt)
            || !TryFromBase64(parts[3], out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one verification, for a user that does not exist.</summary>
    public void VerifyDecoy(string password) => Verify(password, decoy.Value);

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
