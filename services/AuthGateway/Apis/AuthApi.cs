using AuthGateway.Domain;
using AuthGateway.RateLimiting;
using DaprShop.Contracts.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace AuthGateway.Apis;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var group = app.MapGroup("/auth")
            .WithTags("Auth")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitingExtensions.PerClientAddress);

        group.MapPost("/register", Register).WithName(nameof(Register));
        group.MapPost("/token", IssueToken).WithName(nameof(IssueToken));

        return group;
    }

    /// <summary>
    /// Registers a customer: 201 with the new id, 409 when the email is taken (the operator's admin email included),
    /// 400 for a bad email or a weak password. Registration never grants admin.
    /// </summary>
    public static async Task<Results<Created<RegisterResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request,
        [AsParameters] AuthServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!EmailAddress.TryNormalize(request.Email, out var email))
        {
            errors["email"] = ["The email address is not valid."];
        }

        if (PasswordPolicy.Check(request.Password) is { } weakness)
        {
            errors["password"] = [weakness];
        }

        if (errors.Count > 0 || email is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var user = new UserAccount
        {
            UserId = Guid.CreateVersion7().ToString(),
            Email = email,
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            PasswordHash = services.Hasher.HashPassword(null!, request.Password!),
            CreatedAt = services.Clock.GetUtcNow(),
            Role = Roles.Customer,
        };

        if (!await services.Users.TryCreateAsync(user, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered", detail: "An account with this email address exists.");
        }

        services.Accounts.Forget(email);
        services.Logger.LogInformation("Registered user {UserId}", user.UserId);
        return TypedResults.Created((string?)null, new RegisterResponse(user.UserId));
    }

    /// <summary>
    /// Exchanges email and password for a bearer token; 401 problem details when they do not match, 429 with
    /// <c>Retry-After</c> while the account is locked after wrong passwords (unknown emails count the same).
    /// </summary>
    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request,
        [AsParameters] AuthServices services,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);

        if (!EmailAddress.TryNormalize(request.Email, out var email))
        {
            services.Hasher.VerifyDecoy(request.Password!);
            return InvalidCredentials();
        }

        if (services.Lockout.LockedFor(email) is { } lockedFor)
        {
            var seconds = RateLimitingExtensions.SetRetryAfter(response, lockedFor);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong passwords", detail: $"Too many wrong passwords for this account; try again in {seconds} s.");
        }

        var entry = await services.Users.FindEntryAsync(email, cancellationToken);
        if (entry is null)
        {
            services.Hasher.VerifyDecoy(request.Password!);
            services.Lockout.RecordWrongPassword(email);
            return InvalidCredentials();
        }

        var user = entry.Value;
        var verified = services.Hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!);
        if (verified == PasswordVerificationResult.Failed)
        {
            services.Logger.LogInformation("Wrong password for user {UserId}", user.UserId);
            services.Lockout.RecordWrongPassword(email);
            return InvalidCredentials();
        }

        services.Lockout.RecordRightPassword(email);

        if (verified == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await RehashAsync(user, entry.ETag, request.Password!, services, cancellationToken);
        }

        var token = services.Tokens.Issue(user, user.Role);
        return TypedResults.Ok(new TokenResponse(token.AccessToken, "Bearer", (int)token.ExpiresIn.TotalSeconds));
    }

    /// <summary>Stores the password in the hasher's current format; a concurrent change of the user wins, and the next login tries again.</summary>
    private static async Task RehashAsync(UserAccount user, string etag, string password, AuthServices services, CancellationToken cancellationToken)
    {
        var rehashed = user with { PasswordHash = services.Hasher.HashPassword(user, password) };
        if (await services.Users.TryReplaceAsync(rehashed, etag, cancellationToken))
        {
            services.Logger.LogInformation("Rehashed the password of user {UserId} in the current format", user.UserId);
        }
    }

    private static ProblemHttpResult InvalidCredentials() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials", detail: "The email or the password is wrong.");
}
