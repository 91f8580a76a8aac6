using AuthGateway.Domain;
using AuthGateway.Security;
using Microsoft.Extensions.Options;

namespace AuthGateway.Tests.Domain;

public class RolePolicyTests
{
    private static RolePolicy Policy(params string[] adminEmails)
    {
        var options = new AuthOptions();
        foreach (var email in adminEmails)
        {
            options.AdminEmails.Add(email);
        }

        return new RolePolicy(new StaticOptionsMonitor(options));
    }

    [Fact]
    public void RoleOf_listed_email_any_case_Admin()
    {
        Assert.Equal("admin", Policy(" Boss@Example.com ").RoleOf("boss@example.com"));
    }

    [Fact]
    public void RoleOf_unlisted_email_Customer()
    {
        Assert.Equal("customer", Policy("boss@example.com").RoleOf("alice@example.com"));
    }

    [Fact]
    public void RoleOf_no_admins_configured_Customer()
    {
        Assert.Equal("customer", Policy().RoleOf("alice@example.com"));
    }

    private sealed class StaticOptionsMonitor(AuthOptions value) : IOptionsMonitor<AuthOptions>
    {
        public AuthOptions CurrentValue => value;

        public AuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AuthOptions, string?> listener) => null;
    }
}
