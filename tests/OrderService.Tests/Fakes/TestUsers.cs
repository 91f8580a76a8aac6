using System.Security.Claims;
using DaprShop.Contracts.Identity;
using DaprShop.ServiceDefaults.Identity;

namespace OrderService.Tests.Fakes;

public static class TestUsers
{
    public static ClaimsPrincipal Customer(string userId) => Principal(userId, Roles.Customer);

    public static ClaimsPrincipal Admin(string userId) => Principal(userId, Roles.Admin);

    private static ClaimsPrincipal Principal(string userId, string role) =>
        new(new ClaimsIdentity(
            [new Claim(ShopClaimTypes.UserId, userId), new Claim(ShopClaimTypes.Email, $"{userId}@example.com"), new Claim(ShopClaimTypes.Role, role)],
            "test",
            ShopClaimTypes.UserId,
            ShopClaimTypes.Role));
}
