using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AuthGateway.Domain;
using Microsoft.AspNetCore.Identity;

namespace AuthGateway.Tests.Domain;

public class UserPasswordHasherTests
{
    private static readonly UserAccount Alice = new()
    {
        UserId = "u-1",
        Email = "alice@example.com",
        PasswordHash = "irrelevant",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private readonly UserPasswordHasher hasher = new();

    /// <summary>A hash as the gateway wrote them before it used ASP.NET Core Identity's hasher.</summary>
    public static string LegacyHash(string password, int iterations = 1_000)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Join('$', "pbkdf2-sha256", iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    [Fact]
    public void HashPassword_Identity_v3_format_without_the_password_and_salted()
    {
        var hash = hasher.HashPassword(Alice, "correct horse battery");

        Assert.DoesNotContain("correct horse battery", hash, StringComparison.Ordinal);
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]);
        Assert.NotEqual(hash, hasher.HashPassword(Alice, "correct horse battery"));
    }

    [Fact]
    public void Verify_right_password_Success()
    {
        Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword(Alice, hasher.HashPassword(Alice, "correct horse battery"), "correct horse battery"));
    }

    [Fact]
    public void Verify_wrong_password_Failed()
    {
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(Alice, hasher.HashPassword(Alice, "correct horse battery"), "Correct horse battery"));
    }

    [Fact]
    public void Verify_legacy_hash_right_password_Success_rehash_needed()
    {
        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, hasher.VerifyHashedPassword(Alice, LegacyHash("correct horse battery"), "correct horse battery"));
    }

    [Fact]
    public void Verify_legacy_hash_wrong_password_Failed()
    {
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(Alice, LegacyHash("correct horse battery"), "Correct horse battery"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$abc$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$%%%$aGFzaA==")]
    [InlineData("md5$1000$c2FsdA==$aGFzaA==")]
    public void Verify_malformed_hash_Failed(string storedHash)
    {
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(Alice, storedHash, "whatever1"));
    }
}
