using AuthGateway.Apis;
using AuthGateway.Domain;
using AuthGateway.Forwarding;
using AuthGateway.RateLimiting;
using AuthGateway.Security;

namespace AuthGateway;

public static class AuthGatewayExtensions
{
    public static WebApplicationBuilder AddAuthGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddValidation();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .Validate(auth => auth.AccountCheckInterval > TimeSpan.Zero, "Auth:AccountCheckInterval must be longer than zero.")
            .ValidateOnStart();

        builder.Services.AddSingleton<UserPasswordHasher>();
        builder.Services.AddSingleton<UserAccounts>();

        builder.AddJwtAuthentication();
        builder.AddAdminAccount();
        builder.AddGatewayRateLimits();
        builder.AddDaprForwarding();
        builder.AddAccountsApi();
        return builder;
    }
}
