using AuthGateway;
using AuthGateway.Apis;
using AuthGateway.Forwarding;
using DaprShop.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

// The gateway is the public door: callers reach it directly, not through a sidecar.
builder.AddServiceDefaults(defaults => defaults.RequireAppApiToken = false);
builder.AddAuthGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAuthApi();
app.MapDaprForwarding();

app.Run();
