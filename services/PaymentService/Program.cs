using DaprShop.ServiceDefaults;
using PaymentService;
using PaymentService.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPaymentServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPaymentsApi();
app.MapFaultsApi();

app.Run();
