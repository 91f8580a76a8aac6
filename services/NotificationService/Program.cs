using DaprShop.ServiceDefaults;
using DaprShop.ServiceDefaults.Identity;
using NotificationService;
using NotificationService.Apis;
using NotificationService.IntegrationEvents;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayIdentity();
builder.AddNotificationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapOrderEventHandlers();
app.MapNotificationsApi();

app.Run();
