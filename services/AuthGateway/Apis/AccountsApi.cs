using System.Security.Claims;
using AuthGateway.Domain;
using AuthGateway.Forwarding;
using AuthGateway.RateLimiting;
using AuthGateway.Security;
using DaprShop.Contracts.Identity;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthGateway.Apis;

/// <summary>
/// Deleting accounts: a user deletes their own (<c>DELETE /auth/me</c>), an admin anyone's
/// (<c>DELETE /auth/users/{email}</c>). Tokens of a deleted account stop working (<see cref="LiveAccounts"/>).
/// </summary>
public static class AccountsApi
{
    public const string AdminPolicy = "admin";

    public static WebApplicationBuilder AddAccountsApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireRole(Roles.Admin));
        return builder;
    }

    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var group = app.MapGroup("/auth")
            .WithTags("Accounts")
            .RequireAuthorization(DaprForwardingExtensions.AuthenticatedPolicy)
            .RequireRateLimiting(RateLimitingExtensions.PerUser);

        group.MapDelete("/me", DeleteOwnAccount).WithName(nameof(DeleteOwnAccount));
        group.MapDelete("/users/{email}", DeleteAccount).WithName(nameof(DeleteAccount)).RequireAuthorization(AdminPolicy);

        return group;
    }

    /// <summary>Deletes the caller's own account: 204; its tokens, this one included, stop working.</summary>
    public static Task<Results<NoContent, ProblemHttpResult>> DeleteOwnAccount(
        ClaimsPrincipal user,
        [AsParameters] AuthServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DeleteAsync(user.GetEmail() ?? string.Empty, user.GetUserId(), user, services, cancellationToken);
    }

    /// <summary>An admin deletes the account registered with <paramref name="email"/>: 204, or 404 when there is none.</summary>
    public static Task<Results<NoContent, ProblemHttpResult>> DeleteAccount(
        string email,
        ClaimsPrincipal user,
        [AsParameters] AuthServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return DeleteAsync(email, expectedUserId: null, user, services, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string email,
        string? expectedUserId,
        ClaimsPrincipal caller,
        AuthServices services,
        CancellationToken cancellationToken)
    {
        if (!EmailAddress.TryNormalize(email, out var normalized)
            || await services.Users.FindEntryAsync(normalized, cancellationToken) is not { } entry
            || (expectedUserId is not null && entry.Value.UserId != expectedUserId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Account not found", detail: "There is no account with this email address.");
        }

        if (!await services.Users.TryDeleteAsync(normalized, entry.ETag, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Account changed", detail: "The account changed while it was being deleted; try again.");
        }

        services.Accounts.Forget(normalized);
        services.Logger.LogInformation("Deleted user {UserId} (asked by {CallerId})", entry.Value.UserId, caller.GetUserId());
        return TypedResults.NoContent();
    }
}
