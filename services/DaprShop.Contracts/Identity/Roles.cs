namespace DaprShop.Contracts.Identity;

public static class Roles
{
    /// <summary>May read any user's orders. Only the operator's account the gateway seeds (<c>Auth:AdminEmail</c>) has it.</summary>
    public const string Admin = "admin";

    public const string Customer = "customer";
}
