using AuthGateway.Security;
using DaprShop.Contracts.Identity;
using Microsoft.Extensions.Options;

namespace AuthGateway.Domain;

/// <summary><c>admin</c> for the emails in <c>Auth:AdminEmails</c>, <c>customer</c> for everyone else; decided when a token is issued.</summary>
public sealed class RolePolicy(IOptionsMonitor<AuthOptions> options)
{
    public string RoleOf(string normalizedEmail)
    {
        foreach (var adminEmail in options.CurrentValue.AdminEmails)
        {
            if (EmailAddress.TryNormalize(adminEmail, out var admin) && admin == normalizedEmail)
            {
                return Roles.Admin;
            }
        }

        return Roles.Customer;
    }
}
