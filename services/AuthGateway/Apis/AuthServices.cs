using AuthGateway.Domain;
using AuthGateway.Security;

namespace AuthGateway.Apis;

public sealed record AuthServices(
    UserAccounts Users,
    PasswordHasher Hasher,
    RolePolicy Roles,
    JwtTokenIssuer Tokens,
    TimeProvider Clock,
    ILogger<AuthServices> Logger);
