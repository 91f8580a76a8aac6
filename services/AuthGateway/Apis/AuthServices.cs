using AuthGateway.Domain;
using AuthGateway.Security;

namespace AuthGateway.Apis;

public sealed record AuthServices(
    UserAccounts Users,
    UserPasswordHasher Hasher,
    JwtTokenIssuer Tokens,
    TimeProvider Clock,
    ILogger<AuthServices> Logger);
