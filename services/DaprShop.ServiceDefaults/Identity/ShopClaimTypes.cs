namespace DaprShop.ServiceDefaults.Identity;

/// <summary>The claim names in gateway tokens and in the principals the services build from the identity headers.</summary>
public static class ShopClaimTypes
{
    public const string UserId = "sub";

    public const string Email = "email";

    public const string Name = "name";

    public const string Role = "role";
}
