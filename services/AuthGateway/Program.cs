using AuthGateway;
using AuthGateway.Apis;
using AuthGateway.Forwarding;
using AuthGateway.Security;
using DaprShop.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// The gateway is the public door: callers reach it directly, not through a sidecar, and see no Swagger outside Development.
builder.AddServiceDefaults(defaults =>
{
    defaults.RequireAppApiToken = false;
    defaults.SwaggerInDevelopmentOnly = true;
});
builder.AddAuthGateway();

var app = builder.Build();

app.MapDefaultEndpoints();

// After authentication, which MapDefaultEndpoints adds: the /api limit is per user.
app.UseRateLimiter();
app.MapAuthApi();
app.MapAccountsApi();
app.MapDaprForwarding();

try
{
    app.Run();
    return 0;
}
catch (StartupRefusedException)
{
    // Logged where it was decided, in one line that says what to set.
    return 1;
}
