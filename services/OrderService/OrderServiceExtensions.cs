using Dapr.Client;
using DaprShop.Contracts;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.IntegrationEvents;

namespace OrderService;

public static class OrderServiceExtensions
{
    public static WebApplicationBuilder AddOrderServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddValidation();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<PaymentGatewayOptions>().BindConfiguration(PaymentGatewayOptions.Section);

        builder.Services.AddSingleton<IOrderRepository, StateOrderRepository>();
        builder.Services.AddSingleton<IOrderEventPublisher, DaprOrderEventPublisher>();

        // Dapr service invocation over the sidecar's HTTP API: InvocationHandler rewrites http://payment-service/...
        // to /v1.0/invoke/payment-service/method/... and adds dapr-api-token (DAPR_API_TOKEN) when it is set.
        builder.Services.AddHttpClient<IPaymentGateway, DaprPaymentGateway>(http => http.BaseAddress = new Uri($"http://{DaprAppIds.PaymentService}/"))
            .AddHttpMessageHandler(() => new InvocationHandler());

        builder.Services.AddScoped<OrderPlacement>();
        builder.Services.AddScoped<OrderCancellation>();
        return builder;
    }
}
