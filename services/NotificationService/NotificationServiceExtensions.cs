using NotificationService.Domain;
using NotificationService.Infrastructure;
using NotificationService.Telemetry;

namespace NotificationService;

public static class NotificationServiceExtensions
{
    public static WebApplicationBuilder AddNotificationServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddValidation();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<INotificationSender, BindingNotificationSender>();
        builder.Services.AddSingleton<NotificationLog>();
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddSingleton<NotificationMetrics>();
        return builder;
    }
}
