namespace DaprShop.Contracts.Identity;

public static class Roles
{
    /// <summary>May read any user's orders. Granted to the emails in the gateway's <c>Auth:AdminEmails</c>.</summary>
    public const string Admin = "admin";

    public const string Customer = "customer";
}
