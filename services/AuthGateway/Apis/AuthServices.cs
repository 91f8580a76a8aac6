using AuthGateway.Domain;
using AuthGateway.RateLimiting;
using AuthGateway.Security;

namespace AuthGateway.Apis;

public sealed record AuthServices(
    UserAccounts Users,
    UserPasswordHasher Hasher,
    JwtTokenIssuer Tokens,
    LiveAccounts Accounts,
    WrongPasswordLockout Lockout,
    TimeProvider Clock,
    ILogger<AuthServices> Logger);
