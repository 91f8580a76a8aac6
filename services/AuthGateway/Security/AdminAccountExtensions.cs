namespace AuthGateway.Security;

public static class AdminAccountExtensions
{
    /// <summary>The operator's admin account, seeded at start; call after <see cref="JwtAuthenticationExtensions.AddJwtAuthentication"/>.</summary>
    public static WebApplicationBuilder AddAdminAccount(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddSingleton<IAdminPasswordSource, DaprSecretAdminPasswordSource>();
        builder.Services.AddHostedService<AdminAccountSeeder>();
        return builder;
    }
}
