using System.Text.Json;
using Dapr.Client;
using DaprShop.Contracts;
using OrderService.Actors;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Telemetry;

namespace OrderService;

public static class OrderServiceExtensions
{
    public static WebApplicationBuilder AddOrderServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddValidation();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<PaymentGatewayOptions>().BindConfiguration(PaymentGatewayOptions.Section);
        builder.Services.AddOptions<PaymentDeadlineOptions>()
            .BindConfiguration(PaymentDeadlineOptions.Section)
            .Validate(options => options.IsValid(), "Orders:PaymentWindow and Orders:PaymentRetry:BaseDelay must be positive, and MaxDelay at least BaseDelay.")
            .ValidateOnStart();

        builder.Services.AddSingleton<IOrderLogStore, DaprOrderLogStore>();
        builder.Services.AddSingleton<IUserOrderIndex, StateUserOrderIndex>();
        builder.Services.AddSingleton<OrderQueries>();
        builder.Services.AddSingleton<OrderMetrics>();

        // Dapr service invocation over the sidecar's HTTP API: InvocationHandler rewrites http://payment-service/...
        // to /v1.0/invoke/payment-service/method/... and adds dapr-api-token (DAPR_API_TOKEN) when it is set.
        builder.Services.AddHttpClient<IPaymentGateway, DaprPaymentGateway>(http => http.BaseAddress = new Uri($"http://{DaprAppIds.PaymentService}/"))
            .AddHttpMessageHandler(() => new InvocationHandler());

        // One actor per order. DaprOrderActors calls it without remoting, with these JSON options on both sides;
        // JSON rather than DataContract remoting stays configured for any remoting caller.
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<OrderActor>();
            options.UseJsonSerialization = true;
            options.JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        });
        builder.Services.AddSingleton<IOrderActors, DaprOrderActors>();
        return builder;
    }
}
