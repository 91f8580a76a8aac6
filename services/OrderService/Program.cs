using DaprShop.ServiceDefaults;
using DaprShop.ServiceDefaults.Identity;
using OrderService;
using OrderService.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayIdentity();
builder.AddOrderServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapActorsHandlers();
app.MapOrdersApi();

app.Run();
