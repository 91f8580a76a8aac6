using AuthGateway.Domain;

namespace AuthGateway.Tests.Domain;

public class PasswordHasherTests
{
    private readonly PasswordHasher hasher = new();

    [Fact]
    public void Hash_password_Does_not_contain_it_and_records_scheme_and_iterations()
    {
        var hash = hasher.Hash("correct horse battery");

        Assert.DoesNotContain("correct horse battery", hash, StringComparison.Ordinal);
        Assert.StartsWith("pbkdf2-sha256$100000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.DefaultIterations >= 100_000);
    }

    [Fact]
    public void Hash_same_password_twice_Different_salts()
    {
        Assert.NotEqual(hasher.Hash("correct horse battery"), hasher.Hash("correct horse battery"));
    }

    [Fact]
    public void Verify_right_password_True()
    {
        Assert.True(hasher.Verify("correct horse battery", hasher.Hash("correct horse battery")));
    }

    [Fact]
    public void Verify_wrong_password_False()
    {
        Assert.False(hasher.Verify("Correct horse battery", hasher.Hash("correct horse battery")));
    }

    [Fact]
    public void Verify_hash_with_other_iteration_count_Uses_stored_count()
    {
        var older = new PasswordHasher(iterations: 1_000).Hash("correct horse battery");

        Assert.True(hasher.Verify("correct horse battery", older));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$abc$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$%%%$aGFzaA==")]
    [InlineData("md5$1000$c2FsdA==$aGFzaA==")]
    public void Verify_malformed_hash_False(string storedHash)
    {
        Assert.False(hasher.Verify("whatever1", storedHash));
    }

    [Fact]
    public void Verify_tampered_hash_False()
    {
        var parts = hasher.Hash("correct horse battery").Split('$');
        parts[3] = Convert.ToBase64String(new byte[32]);

        Assert.False(hasher.Verify("correct horse battery", string.Join('$', parts)));
    }
}
